// storage/history_admin — maintenance and analysis of stored conversation history:
// pruning, full-text search, statistics, and the row-level reads and writes that export,
// import and copy (history_transfer.hpp) are built on. Used by the CLI and the API, not by
// agents.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aurite/config/models.hpp"
#include "aurite/storage/usage.hpp"

namespace aurite::storage {

// One stored turn with its place: what export writes as one JSON line.
struct TurnRecord {
  std::string agent_name;
  std::string session_id;
  std::int64_t seq = 0;
  std::string role;
  std::string content_json;  // JSON text (compared as JSON, not as bytes, across backends)
  std::string created_at;    // UTC, ISO-8601 with milliseconds: 2026-01-02T03:04:05.678Z
  TurnUsage usage = {};      // stored with the turn; its rows go and come with it

  friend bool operator==(const TurnRecord&, const TurnRecord&) = default;
};

struct PruneCounts {
  std::int64_t sessions = 0;  // sessions removed
  std::int64_t turns = 0;     // turns removed with them

  friend bool operator==(const PruneCounts&, const PruneCounts&) = default;
};

struct AgentStats {
  std::string agent_name;
  std::int64_t turns = 0;
  std::int64_t sessions = 0;
  std::int64_t tool_calls = 0;  // tool_use content blocks
  UsageTotals usage = {};

  friend bool operator==(const AgentStats&, const AgentStats&) = default;
};

struct DayStats {
  std::string agent_name;
  std::string day;  // UTC date, YYYY-MM-DD
  std::int64_t turns = 0;
  std::int64_t sessions = 0;  // sessions with at least one turn that day
  std::int64_t tool_calls = 0;
  UsageTotals usage = {};

  friend bool operator==(const DayStats&, const DayStats&) = default;
};

struct ModelStats {
  std::string provider;
  std::string model;
  UsageTotals usage;

  friend bool operator==(const ModelStats&, const ModelStats&) = default;
};

struct HistoryStats {
  std::vector<AgentStats> per_agent;  // by agent name
  std::vector<DayStats> per_day;      // by agent name, then day
  std::vector<ModelStats> per_model;  // by provider, then model

  friend bool operator==(const HistoryStats&, const HistoryStats&) = default;
};

// {"per_agent": [{agent, turns, sessions, tool_calls, model_calls, input_tokens, ...,
// cost_usd, unpriced_calls, p50_model_ms?, p95_model_ms?}], "per_day": [... with day],
// "per_model": [{provider, model, model_calls, ...}]}: what the CLI and the API print.
nlohmann::json to_json(const HistoryStats& stats);

struct TurnFilter {
  std::optional<std::string> agent_name;
  std::optional<std::string> session_id;  // only with agent_name
};

// Thread-safe; every method throws aurite::Error like HistoryStore's.
class HistoryAdmin {
 public:
  virtual ~HistoryAdmin() = default;

  // Removes whole sessions (and their turns) whose last turn is older than `age`, in one
  // transaction. Whole sessions, so what stays is always a complete conversation.
  virtual PruneCounts prune_older_than(std::chrono::seconds age) = 0;

  // Keeps the `keep` most recently updated sessions of every agent and removes the rest,
  // in one transaction.
  virtual PruneCounts prune_keep_newest(std::size_t keep) = 0;

  // Turns whose text matches every word of `query` (the string values in their content,
  // words matched whole, case-insensitively), newest first, at most `limit`. Only that
  // agent's when `agent_name` is set. A query with no word gives nothing.
  virtual std::vector<TurnRecord> search(const std::string& query, const std::optional<std::string>& agent_name,
                                         std::size_t limit) = 0;

  // Turns, sessions and tool calls, and the usage of model calls, per agent, per agent and
  // day (UTC), and per model. Cost comes from the pricing of `llms` (config::find_pricing).
  virtual HistoryStats stats(const std::optional<std::string>& agent_name,
                             const std::vector<config::LlmConfig>& llms = {}) = 0;

  // Calls `visit` for every turn that passes `filter` (with its usage), ordered by agent,
  // session and seq, reading in pages so memory stays bounded. `visit` may throw to stop.
  virtual void for_each_turn(const TurnFilter& filter, const std::function<void(const TurnRecord&)>& visit) = 0;

  // Inserts the turns (and their usage) in ONE transaction, keeping their seq and
  // created_at; a turn whose (agent, session, seq) is already stored is skipped with its
  // usage, so importing twice is harmless.
  // Sessions are created or extended to cover them. Returns how many were inserted.
  // Throws kInvalidArgument (and inserts nothing) for a turn with an empty agent or role,
  // seq < 1, or content that is not JSON.
  virtual std::int64_t import_turns(const std::vector<TurnRecord>& turns) = 0;
};

}  // namespace aurite::storage
