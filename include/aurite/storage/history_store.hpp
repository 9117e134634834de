// storage/history_store — the narrow interface through which an agent keeps its
// conversation: one durable row per turn, read back as the last N turns of a session.
//
// The store knows nothing of agents beyond their names. Content is the JSON text of a
// turn's content: a string, or an array of Anthropic-style content blocks
// (`{"type":"text",...}`, `{"type":"tool_use",...}`, `{"type":"tool_result",...}`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aurite/storage/usage.hpp"

namespace aurite::storage {

// The session used when a caller gives none (an empty session id means this one).
inline constexpr const char* kDefaultSession = "default";

struct Turn {
  std::int64_t seq = 0;     // 1-based position in the session, in commit order
  std::string role;         // "user", "assistant", ...
  // The content as JSON text, equal as JSON to what was appended (PostgreSQL's JSONB may
  // change whitespace and key order; SQLite returns the text byte for byte).
  std::string content_json;
  std::string created_at;   // UTC, ISO-8601 with milliseconds: 2026-01-02T03:04:05.678Z

  friend bool operator==(const Turn&, const Turn&) = default;
};

struct SessionInfo {
  std::string agent_name;
  std::string session_id;
  std::string created_at;    // UTC, ISO-8601 with milliseconds
  std::string last_updated;  // time of the last append
  std::int64_t turn_count = 0;

  friend bool operator==(const SessionInfo&, const SessionInfo&) = default;
};

struct SessionQuery {
  std::optional<std::string> agent_name;  // only this agent's sessions when set
  std::size_t limit = 50;                 // sessions per page, at least 1
  // The `next_cursor` of the previous page; empty for the first page. Opaque.
  std::string after;
};

struct SessionPage {
  std::vector<SessionInfo> sessions;  // newest `last_updated` first
  std::string next_cursor;            // empty when this is the last page
};

// Implementations are thread-safe, and several processes may use the same database at
// once. Every method throws aurite::Error: kInvalidArgument for bad input (empty agent
// name, content that is not JSON or holds a NUL character (\u0000, which PostgreSQL cannot
// store), a cursor we did not issue), kUnavailable when the
// database cannot be reached, kTimeout when a deadline passed.
class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Appends one turn to (agent, session) and returns its seq. The row is committed
  // before this returns. The seq is assigned in the same transaction that bumps the
  // session's turn_count, so concurrent writers (threads or processes) get distinct,
  // gap-free seqs in commit order and no turn is lost or duplicated. `usage` is written
  // in the same transaction (a store without usage tables keeps none).
  virtual std::int64_t append_turn(const std::string& agent_name, const std::string& session_id,
                                   const std::string& role, const std::string& content_json,
                                   const TurnUsage& usage = {}) = 0;

  // At most the last `limit` turns of the session, oldest first. The window never starts
  // inside a tool exchange: it begins at the first `user` turn in it that is not a tool
  // result (a user turn whose content holds `tool_result` blocks), dropping anything
  // before. So fewer than `limit` turns may come back, none when the last `limit` turns
  // hold no such start. An unknown session gives an empty vector.
  virtual std::vector<Turn> load_history(const std::string& agent_name,
                                         const std::string& session_id, std::size_t limit) = 0;

  // The session's turns with seq > `after_seq`, oldest first, at most `limit`: every turn
  // as stored, with no tool-safe window. Pages follow by passing the last seq read, and
  // stay gap- and duplicate-free while appends happen (seqs only grow). An unknown session
  // gives an empty vector, as does `limit` 0.
  virtual std::vector<Turn> load_turns(const std::string& agent_name, const std::string& session_id,
                                       std::int64_t after_seq, std::size_t limit) = 0;

  // One page of sessions, newest first, by keyset (stable while appends happen).
  virtual SessionPage list_sessions(const SessionQuery& query) = 0;

  // Removes the session and all its turns in one transaction. Returns whether it existed.
  virtual bool delete_session(const std::string& agent_name, const std::string& session_id) = 0;
};

}  // namespace aurite::storage
