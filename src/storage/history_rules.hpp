// Rules of the history store that do not depend on the database: argument checks, the
// tool-exchange-safe window, and the keyset cursor of list_sessions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aurite/storage/history_store.hpp"

namespace aurite::storage {

// The session id to store: `session_id`, or kDefaultSession when empty.
std::string session_or_default(const std::string& session_id);

// Throws Error(kInvalidArgument) when the agent name or role is empty or the content is
// not valid JSON.
void check_append(const std::string& agent_name, const std::string& role,
                  const std::string& content_json);

// Throws Error(kInvalidArgument) when the agent name is empty.
void check_agent_name(const std::string& agent_name);

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
