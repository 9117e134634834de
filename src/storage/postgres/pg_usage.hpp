// The usage rows of turns in PostgreSQL (migration 8): the statements that write them
// with their turn (the JSON of usage_to_json as a parameter), and the reads back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/pg_conn.hpp"
#include "storage/usage_rules.hpp"

namespace aurite::storage::postgres {

// Appends a turn and its usage in one statement: $1 agent, $2 session, $3 role,
// $4 content, $5 usage JSON. Returns the seq.
extern const Query kAppendTurnWithUsage;

// Imports turns with their usage: $1 a JSON array of {agent, session, seq, role, content,
// created_at, usage?}. Returns one row: how many turns were inserted.
extern const Query kImportTurnsWithUsage;

// Fills the usage of each turn of `page` (ordered by agent, session and seq).
void read_usage(Connection& conn, std::vector<TurnRecord>& page);

std::vector<UsageCell> usage_cells(Connection& conn, const std::optional<std::string>& agent_name);
UsageLatencies usage_latencies(Connection& conn, const std::optional<std::string>& agent_name);

}  // namespace aurite::storage::postgres
