// storage/history_transfer — history as JSON Lines, and copying a whole database
// (configurations and history) from one StorageManager to another.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

#include "aurite/storage/history_admin.hpp"
#include "aurite/storage/storage_manager.hpp"

namespace aurite::storage {

// One JSON object per line, one turn per line, ordered by agent, session and seq:
// {"agent":..,"session":..,"seq":..,"role":..,"content":<JSON>,"created_at":..,"usage":..}
// ("usage" only for a turn that has some: {"run_id", "model_call", "tool_calls"}).
// Returns the number of lines written.
std::int64_t export_jsonl(HistoryAdmin& history, std::ostream& out, const TurnFilter& filter = {});

struct ImportCounts {
  std::int64_t lines = 0;     // turns read
  std::int64_t sessions = 0;  // distinct (agent, session) among them
  std::int64_t inserted = 0;  // turns not stored before (check_jsonl: that would be)
};

// Reads every line first: a line that is not such an object is Error(kInvalidArgument)
// naming its line number, and nothing is imported. Then imports all in one transaction
// (idempotent on agent, session, seq). Blank lines are skipped.
ImportCounts import_jsonl(HistoryAdmin& history, std::istream& in);

// A dry run of import_jsonl: the same checks and the same errors, and what it would
// insert, read from the sessions the file names; writes nothing.
ImportCounts check_jsonl(HistoryAdmin& history, std::istream& in);

struct CopyCounts {
  std::map<std::string, std::int64_t> source_rows;  // table -> rows, after the copy
  std::map<std::string, std::int64_t> target_rows;
  std::int64_t configs = 0;  // configurations written (inserted or updated)
  std::int64_t turns = 0;    // turns inserted
  std::int64_t secrets = 0;  // sealed credentials written, as they were (never opened)
};

// Copies every configuration, every turn and every sealed secret of `source` into
// `target` (SQLite -> PostgreSQL is the usual case), then checks that the configuration,
// session, history and secrets tables hold as many rows in both. Throws Error(kInvalidArgument) when either has
// configurations or history storage switched off, kInternal naming the table when counts
// differ (the target held rows the source does not).
CopyCounts copy_all(StorageManager& source, StorageManager& target);

}  // namespace aurite::storage
