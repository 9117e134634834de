// storage/usage — what a model call and the tool calls of a turn cost, stored in the
// transaction of the turn they belong to, so usage and history never disagree: the
// model call with the assistant turn it produced, the tool calls with the turn that
// carries their results. Money is not stored: it is computed from the tokens when read
// (config::Pricing), so a corrected price re-prices the history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aurite::storage {

struct ModelCallUsage {
  std::string provider;
  std::string model;
  std::string llm_id;  // the llm it went through; "" for an agent's inline model
  // As llm::Usage: input_tokens are those not read from a prompt cache.
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::string stop_reason;
  std::optional<double> first_token_ms;  // streamed calls only
  double duration_ms = 0;

  friend bool operator==(const ModelCallUsage&, const ModelCallUsage&) = default;
};

struct ToolCallUsage {
  std::string call_id;  // the model's tool_use id
  std::string client_id;
  std::string tool;
  double duration_ms = 0;
  bool is_error = false;

  friend bool operator==(const ToolCallUsage&, const ToolCallUsage&) = default;
};

struct TurnUsage {
  std::string run_id;                        // the run that made the turn; "" when none was recorded
  std::optional<ModelCallUsage> model_call;  // an assistant turn: the call that produced it
  std::vector<ToolCallUsage> tool_calls;     // a tool-result turn: the calls it answers, in order

  bool empty() const { return !model_call && tool_calls.empty(); }
  friend bool operator==(const TurnUsage&, const TurnUsage&) = default;
};

// {"run_id"?, "model_call"?: {...}, "tool_calls"?: [...]}, as export writes it; absent
// members are empty.
nlohmann::json usage_to_json(const TurnUsage& usage);
// Throws Error(kInvalidArgument) naming `where` and the member that is wrong.
TurnUsage usage_from_json(const nlohmann::json& json, const std::string& where);

// What history stats report of model calls for one group (an agent, a day, a model).
struct UsageTotals {
  std::int64_t model_calls = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  // The priced calls' cost; the calls no pricing covers are counted in unpriced_calls.
  double cost_usd = 0;
  std::int64_t unpriced_calls = 0;
  // Nearest-rank percentiles of the calls' durations; unset without calls.
  std::optional<double> p50_ms;
  std::optional<double> p95_ms;

  friend bool operator==(const UsageTotals&, const UsageTotals&) = default;
};

}  // namespace aurite::storage
