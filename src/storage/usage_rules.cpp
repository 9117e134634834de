#include "storage/usage_rules.hpp"

#include <cmath>

#include "aurite/common/error.hpp"

namespace aurite::storage {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& member, const std::string& problem) {
  throw Error(ErrorCode::kInvalidArgument, where + ": usage." + member + " " + problem);
}

std::string text(const json& object, const char* key, const std::string& where, const std::string& path,
                 bool required) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    if (required) fail(where, path + key, "is missing");
    return "";
  }
  if (!found->is_string()) fail(where, path + key, "must be a string");
  return found->get<std::string>();
}

std::int64_t count(const json& object, const char* key, const std::string& where, const std::string& path) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return 0;
  if (!found->is_number_integer()) fail(where, path + key, "must be an integer");
  return found->get<std::int64_t>();
}

std::optional<double> millis(const json& object, const char* key, const std::string& where,
                             const std::string& path) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  if (!found->is_number()) fail(where, path + key, "must be a number");
  return found->get<double>();
}

const json& member_object(const json& object, const char* key, const std::string& where) {
  const json& value = object.at(key);
  if (!value.is_object()) fail(where, key, "must be an object");
  return value;
}

void check_count(std::int64_t value, const char* member) {
  if (value < 0) fail("turn", member, "must not be negative, got " + std::to_string(value));
}

void check_millis(double value, const char* member) {
  if (!std::isfinite(value) || value < 0) fail("turn", member, "must be a non-negative number of milliseconds");
}

void add_cell(UsageTotals& totals, const UsageCell& cell, const config::Pricing* pricing) {
  totals.model_calls += cell.calls;
  totals.input_tokens += cell.input_tokens;
  totals.output_tokens += cell.output_tokens;
  totals.cache_read_tokens += cell.cache_read_tokens;
  totals.cache_write_tokens += cell.cache_write_tokens;
  if (pricing != nullptr) {
    totals.cost_usd +=
        pricing->cost_usd(cell.input_tokens, cell.output_tokens, cell.cache_read_tokens, cell.cache_write_tokens);
  } else {
    totals.unpriced_calls += cell.calls;
  }
}

template <typename Key>
void add_percentiles(UsageTotals& totals, const std::map<Key, Percentiles>& latencies, const Key& key) {
  const auto found = latencies.find(key);
  if (found == latencies.end()) return;
  totals.p50_ms = found->second.p50_ms;
  totals.p95_ms = found->second.p95_ms;
}

void put_usage(json& out, const UsageTotals& usage) {
  out["model_calls"] = usage.model_calls;
  out["input_tokens"] = usage.input_tokens;
  out["output_tokens"] = usage.output_tokens;
  out["cache_read_tokens"] = usage.cache_read_tokens;
  out["cache_write_tokens"] = usage.cache_write_tokens;
  out["cost_usd"] = usage.cost_usd;
  out["unpriced_calls"] = usage.unpriced_calls;
  if (usage.p50_ms) out["p50_model_ms"] = *usage.p50_ms;
  if (usage.p95_ms) out["p95_model_ms"] = *usage.p95_ms;
}

}  // namespace

json to_json(const HistoryStats& stats) {
  json agents = json::array();
  for (const auto& a : stats.per_agent) {
    json row = {{"agent", a.agent_name}, {"turns", a.turns}, {"sessions", a.sessions}, {"tool_calls", a.tool_calls}};
    put_usage(row, a.usage);
    agents.push_back(std::move(row));
  }
  json days = json::array();
  for (const auto& d : stats.per_day) {
    json row = {{"agent", d.agent_name}, {"day", d.day}, {"turns", d.turns}, {"sessions", d.sessions},
                {"tool_calls", d.tool_calls}};
    put_usage(row, d.usage);
    days.push_back(std::move(row));
  }
  json models = json::array();
  for (const auto& m : stats.per_model) {
    json row = {{"provider", m.provider}, {"model", m.model}};
    put_usage(row, m.usage);
    models.push_back(std::move(row));
  }
  return {{"per_agent", std::move(agents)}, {"per_day", std::move(days)}, {"per_model", std::move(models)}};
}

json usage_to_json(const TurnUsage& usage) {
  json out = json::object();
  if (!usage.run_id.empty()) out["run_id"] = usage.run_id;
  if (const auto& call = usage.model_call) {
    json model = {{"provider", call->provider},
                  {"model", call->model},
                  {"input_tokens", call->input_tokens},
                  {"output_tokens", call->output_tokens},
                  {"cache_read_tokens", call->cache_read_tokens},
                  {"cache_write_tokens", call->cache_write_tokens},
                  {"stop_reason", call->stop_reason},
                  {"duration_ms", call->duration_ms}};
    if (!call->llm_id.empty()) model["llm_id"] = call->llm_id;
    if (call->first_token_ms) model["first_token_ms"] = *call->first_token_ms;
    out["model_call"] = std::move(model);
  }
  if (!usage.tool_calls.empty()) {
    json tools = json::array();
    for (const auto& call : usage.tool_calls) {
      tools.push_back({{"call_id", call.call_id},
                       {"client_id", call.client_id},
                       {"tool", call.tool},
                       {"duration_ms", call.duration_ms},
                       {"is_error", call.is_error}});
    }
    out["tool_calls"] = std::move(tools);
  }
  return out;
}

TurnUsage usage_from_json(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, "", "must be an object");
  TurnUsage usage;
  usage.run_id = text(value, "run_id", where, "", false);
  if (value.contains("model_call") && !value["model_call"].is_null()) {
    const json& call = member_object(value, "model_call", where);
    const std::string path = "model_call.";
    ModelCallUsage model;
    model.provider = text(call, "provider", where, path, true);
    model.model = text(call, "model", where, path, true);
    model.llm_id = text(call, "llm_id", where, path, false);
    model.input_tokens = count(call, "input_tokens", where, path);
    model.output_tokens = count(call, "output_tokens", where, path);
    model.cache_read_tokens = count(call, "cache_read_tokens", where, path);
    model.cache_write_tokens = count(call, "cache_write_tokens", where, path);
    model.stop_reason = text(call, "stop_reason", where, path, false);
    model.first_token_ms = millis(call, "first_token_ms", where, path);
    model.duration_ms = millis(call, "duration_ms", where, path).value_or(0);
    usage.model_call = std::move(model);
  }
  if (value.contains("tool_calls") && !value["tool_calls"].is_null()) {
    const json& calls = value["tool_calls"];
    if (!calls.is_array()) fail(where, "tool_calls", "must be an array");
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const std::string path = "tool_calls[" + std::to_string(i) + "].";
      if (!calls[i].is_object()) fail(where, path.substr(0, path.size() - 1), "must be an object");
      ToolCallUsage tool;
      tool.call_id = text(calls[i], "call_id", where, path, false);
      tool.client_id = text(calls[i], "client_id", where, path, false);
      tool.tool = text(calls[i], "tool", where, path, true);
      tool.duration_ms = millis(calls[i], "duration_ms", where, path).value_or(0);
      const auto is_error = calls[i].find("is_error");
      if (is_error != calls[i].end() && !is_error->is_boolean()) fail(where, path + "is_error", "must be true or false");
      tool.is_error = is_error != calls[i].end() && is_error->get<bool>();
      usage.tool_calls.push_back(std::move(tool));
    }
  }
  return usage;
}

void check_usage(const TurnUsage& usage) {
  if (const auto& call = usage.model_call) {
    if (call->provider.empty()) fail("turn", "model_call.provider", "must not be empty");
    if (call->model.empty()) fail("turn", "model_call.model", "must not be empty");
    check_count(call->input_tokens, "model_call.input_tokens");
    check_count(call->output_tokens, "model_call.output_tokens");
    check_count(call->cache_read_tokens, "model_call.cache_read_tokens");
    check_count(call->cache_write_tokens, "model_call.cache_write_tokens");
    check_millis(call->duration_ms, "model_call.duration_ms");
    if (call->first_token_ms) check_millis(*call->first_token_ms, "model_call.first_token_ms");
  }
  for (const auto& call : usage.tool_calls) {
    if (call.tool.empty()) fail("turn", "tool_calls[].tool", "must not be empty");
    check_millis(call.duration_ms, "tool_calls[].duration_ms");
  }
}

void add_usage(HistoryStats& stats, const std::vector<UsageCell>& cells, const UsageLatencies& latencies,
               const std::vector<config::LlmConfig>& llms) {
  std::map<AgentKey, UsageTotals*> per_agent;
  for (auto& agent : stats.per_agent) per_agent[agent.agent_name] = &agent.usage;
  std::map<DayKey, UsageTotals*> per_day;
  for (auto& day : stats.per_day) per_day[{day.agent_name, day.day}] = &day.usage;
  std::map<ModelKey, UsageTotals> per_model;
  // A model call is stored with its turn, so its agent and day have turns too.
  for (const UsageCell& cell : cells) {
    const config::Pricing* pricing = config::find_pricing(llms, cell.llm_id, cell.provider, cell.model);
    if (const auto agent = per_agent.find(cell.agent_name); agent != per_agent.end()) add_cell(*agent->second, cell, pricing);
    if (const auto day = per_day.find({cell.agent_name, cell.day}); day != per_day.end()) add_cell(*day->second, cell, pricing);
    add_cell(per_model[{cell.provider, cell.model}], cell, pricing);
  }
  for (auto& agent : stats.per_agent) add_percentiles(agent.usage, latencies.per_agent, agent.agent_name);
  for (auto& day : stats.per_day) add_percentiles(day.usage, latencies.per_day, DayKey{day.agent_name, day.day});
  for (auto& [key, totals] : per_model) {
    add_percentiles(totals, latencies.per_model, key);
    stats.per_model.push_back({key.first, key.second, totals});
  }
}

}  // namespace aurite::storage
