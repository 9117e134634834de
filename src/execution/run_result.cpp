#include "aurite/execution/run_result.hpp"

namespace aurite::execution {

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kCompleted: return "completed";
    case RunStatus::kMaxIterations: return "max_iterations";
    case RunStatus::kSchemaMismatch: return "schema_mismatch";
    case RunStatus::kAwaitingApproval: return "awaiting_approval";
  }
  return "completed";
}

Json to_json(const PendingApproval& pending) {
  return {{"id", pending.id},         {"call_id", pending.call_id}, {"tool", pending.tool},
          {"client_id", pending.client_id}, {"arguments", pending.arguments}, {"why", pending.why}};
}

Json ModelCallRecord::to_json() const {
  Json out = {{"provider", usage.provider},
              {"model", usage.model},
              {"input_tokens", usage.input_tokens},
              {"output_tokens", usage.output_tokens},
              {"cache_read_tokens", usage.cache_read_tokens},
              {"cache_write_tokens", usage.cache_write_tokens},
              {"stop_reason", usage.stop_reason},
              {"duration_ms", usage.duration_ms}};
  if (!usage.llm_id.empty()) out["llm_id"] = usage.llm_id;
  if (usage.first_token_ms) out["first_token_ms"] = *usage.first_token_ms;
  if (cost_usd) out["cost_usd"] = *cost_usd;
  return out;
}

Json AgentResult::to_json() const {
  Json turns = Json::array();
  for (const auto& turn : new_turns) turns.push_back(llm::to_json(turn));
  Json calls = Json::array();
  for (const auto& call : tool_calls) {
    calls.push_back({{"id", call.id}, {"name", call.name}, {"client_id", call.client_id}, {"input", call.input},
                     {"result", call.result_text}, {"is_error", call.is_error}, {"duration_ms", call.duration_ms}});
  }
  Json out = {{"agent", agent_name},
              {"session_id", session_id},
              {"status", to_string(status)},
              {"final_text", final_text},
              {"history_turns_loaded", history_turns_loaded},
              {"turns", turns},
              {"tool_calls", calls},
              {"iterations", iterations},
              {"usage", usage_json()},
              {"timings_ms", {{"model", model_ms}, {"tools", tool_ms}, {"total", total_ms}}}};
  if (final_json) out["final_json"] = *final_json;
  if (status == RunStatus::kAwaitingApproval) {
    out["run_id"] = paused_run_id;
    out["pending_approvals"] = Json::array();
    for (const auto& pending : pending_approvals) out["pending_approvals"].push_back(execution::to_json(pending));
  }
  if (!unavailable_clients.empty()) {
    Json unavailable = Json::array();
    for (const auto& client : unavailable_clients) unavailable.push_back({{"client_id", client.client_id}, {"error", client.error}});
    out["unavailable_clients"] = std::move(unavailable);
  }
  return out;
}

std::optional<double> AgentResult::cost_usd() const {
  if (model_calls.empty()) return std::nullopt;
  double total = 0;
  for (const auto& call : model_calls) {
    if (!call.cost_usd) return std::nullopt;
    total += *call.cost_usd;
  }
  return total;
}

Json AgentResult::usage_json() const {
  Json calls = Json::array();
  for (const auto& call : model_calls) calls.push_back(call.to_json());
  Json out = {{"input_tokens", usage.input_tokens},
              {"output_tokens", usage.output_tokens},
              {"cache_read_tokens", usage.cache_read_tokens},
              {"cache_write_tokens", usage.cache_write_tokens},
              {"calls", std::move(calls)}};
  if (const auto cost = cost_usd()) out["cost_usd"] = *cost;
  return out;
}

std::string GraphNodeResult::status() const {
  switch (state) {
    case State::kNotRun: return "not_run";
    case State::kRunning: return "running";
    case State::kDone: return agent ? std::string(execution::to_string(agent->status)) : "completed";
  }
  return "not_run";
}

Json GraphNodeResult::to_json() const {
  Json out = {{"node_id", node_id}, {"agent", agent_name}, {"status", status()}};
  if (state != State::kNotRun) out["started_ms"] = started_ms;
  if (state == State::kDone) {
    out["finished_ms"] = finished_ms;
    out["final_text"] = agent ? agent->final_text : "";
    if (agent) out["result"] = agent->to_json();
  }
  return out;
}

Json GraphWorkflowResult::to_json() const {
  Json out = {{"workflow", workflow_name},      {"session_id", session_id},
              {"status", to_string(status)},    {"final_text", final_text},
              {"final_output", final_output},   {"timings_ms", {{"total", total_ms}}},
              {"nodes", Json::array()}};
  if (!stopped_at.empty()) out["stopped_at"] = stopped_at;
  for (const auto& node : nodes) out["nodes"].push_back(node.to_json());
  return out;
}

Json WorkflowResult::to_json() const {
  Json out = {{"workflow", workflow_name}, {"session_id", session_id}, {"status", to_string(status)},
              {"final_text", final_text}, {"timings_ms", {{"total", total_ms}}}, {"steps", Json::array()}};
  for (const auto& step : steps) out["steps"].push_back(step.to_json());
  return out;
}

}  // namespace aurite::execution
