// Checks that a stored history holds together after a fault, made outside our storage
// code: SQL straight on the database, and a reading of the turns' content blocks.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "aurite/storage/history_store.hpp"

namespace aurite::testing {

// Runs one query over the history tables of the database at `url` (sqlite://PATH or
// postgresql://...) and describes every session whose turn_count is not the number of
// its turns or whose seqs are not exactly 1..turn_count, and every turn without a
// session row. Empty when the tables agree. Throws std::runtime_error when the
// database cannot be queried.
std::vector<std::string> history_table_problems(const std::string& url);

// `PRAGMA integrity_check` on the SQLite file at `path`, opened outside our storage
// code: "ok" for a sound file, else SQLite's list of problems (or the open's error).
std::string sqlite_integrity_check(const std::filesystem::path& path);

// Tool exchanges in one session's turns (oldest first) that do not hold together: an
// assistant tool_use not answered by a tool_result with its id in the turn right after
// it, or a tool_result no tool_use of the turn before asked for. With `allow_unanswered`
// a tool_use may stay without a result (its run was stopped while its tools ran), but a
// result must still answer a call. Meant for sessions written by one run at a time.
// Empty when every exchange is whole.
std::vector<std::string> tool_exchange_problems(const std::vector<storage::Turn>& turns,
                                                bool allow_unanswered);

// Places where one session's turns (oldest first) are not one conversation of runs taken
// one after another: roles must alternate (user, assistant, user, ...), starting with a
// user turn, and a user turn that is not a tool result must follow an assistant turn
// without tool_use (the previous run's final answer). Together with tool_exchange_problems
// this says every run's turns are contiguous: no run's user turn lands inside another
// run's exchange. Empty when the session reads as one conversation.
std::vector<std::string> interleaving_problems(const std::vector<storage::Turn>& turns);

}  // namespace aurite::testing
