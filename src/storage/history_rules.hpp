// Rules of the history store that do not depend on the database: argument checks, the
// tool-exchange-safe window, and the keyset cursor of list_sessions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "aurite/storage/history_admin.hpp"
#include "aurite/storage/history_store.hpp"

namespace aurite::storage {

// The session id to store: `session_id`, or kDefaultSession when empty. Throws
// Error(kInvalidArgument) for one config::name_problem refuses (too long, a control
// character such as NUL, which PostgreSQL would cut the text at), on every backend alike.
std::string session_or_default(const std::string& session_id);

// Throws Error(kInvalidArgument) when the agent name or role is empty or the content is
// not valid JSON.
void check_append(const std::string& agent_name, const std::string& role,
                  const std::string& content_json);

// Throws Error(kInvalidArgument) when the agent name is empty or config::name_problem
// refuses it.
void check_agent_name(const std::string& agent_name);

// Throws Error(kInvalidArgument) when the agent name is refused (as check_agent_name) or
// the lease holder is empty.
void check_lease_args(const std::string& agent_name, const std::string& holder);

// Whether a conversation may start at this turn: a `user` turn that is not a tool result.
bool starts_exchange(const Turn& turn);

// `newest_first` reversed, dropping the turns before the first that starts_exchange().
std::vector<Turn> safe_window(std::vector<Turn> newest_first);

// The position after the last session of a page: (sort key, agent, session). The sort key
// is the backend's exact text for last_updated, so comparisons in SQL stay exact.
struct SessionCursor {
  std::string sort_key;
  std::string agent_name;
  std::string session_id;
};

std::string encode_cursor(const SessionCursor& cursor);
// Throws Error(kInvalidArgument) for text that encode_cursor did not produce.
SessionCursor decode_cursor(const std::string& text);

}  // namespace aurite::storage

namespace aurite::storage {

// `time` as UTC ISO-8601 with milliseconds (2026-01-02T03:04:05.678Z), the form both
// backends return and SQLite stores.
std::string iso_utc(std::chrono::system_clock::time_point time);

// The words of a search query as an FTS5 query matching all of them: each word (a run of
// letters, digits or non-ASCII bytes) double-quoted, so no query text is FTS5 syntax.
// Empty when the query holds no word.
std::string fts5_all_words(const std::string& query);

// Throws Error(kInvalidArgument) naming the turn when it cannot be imported.
void check_import(const TurnRecord& turn);

}  // namespace aurite::storage
