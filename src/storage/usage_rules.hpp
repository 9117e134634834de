// Rules of stored usage that do not depend on the database: its JSON form (export lines,
// PostgreSQL parameters), its checks, and how history stats sum and price it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "aurite/config/models.hpp"
#include "aurite/storage/history_admin.hpp"

namespace aurite::storage {

// Throws Error(kInvalidArgument) for negative counts or durations, or a model call
// without provider or model.
void check_usage(const TurnUsage& usage);

// The model calls of one (agent, day, llm, provider, model), as the backends sum them.
struct UsageCell {
  std::string agent_name;
  std::string day;
  std::string llm_id;
  std::string provider;
  std::string model;
  std::int64_t calls = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
};

// Latency percentiles of a group, keyed as the backends group them.
using AgentKey = std::string;
using DayKey = std::pair<std::string, std::string>;    // agent, day
using ModelKey = std::pair<std::string, std::string>;  // provider, model
struct Percentiles {
  double p50_ms = 0;
  double p95_ms = 0;
};
struct UsageLatencies {
  std::map<AgentKey, Percentiles> per_agent;
  std::map<DayKey, Percentiles> per_day;
  std::map<ModelKey, Percentiles> per_model;
};

// Adds the cells and percentiles to `stats` (per_agent, per_day, per_model), pricing each
// cell with `llms`.
void add_usage(HistoryStats& stats, const std::vector<UsageCell>& cells, const UsageLatencies& latencies,
               const std::vector<config::LlmConfig>& llms);

}  // namespace aurite::storage
