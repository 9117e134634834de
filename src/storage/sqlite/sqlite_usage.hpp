// The usage rows of turns in SQLite (migration 8): written with their turn, read back
// with it, summed for history stats. The caller holds the backend's mutex.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite/sqlite_db.hpp"
#include "storage/usage_rules.hpp"

namespace aurite::storage::sqlite {

// Writes `usage` for the turn just inserted as row `turn_rowid`, inside the caller's
// transaction; its rows take the turn's created_at.
void write_usage(Database& db, std::int64_t turn_rowid, const TurnUsage& usage);

// Fills the usage of each turn of `page` (ordered by agent, session and seq).
void read_usage(Database& db, std::vector<TurnRecord>& page);

std::vector<UsageCell> usage_cells(Database& db, const std::optional<std::string>& agent_name);
UsageLatencies usage_latencies(Database& db, const std::optional<std::string>& agent_name);

}  // namespace aurite::storage::sqlite
