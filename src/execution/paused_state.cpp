#include "execution/paused_state.hpp"

#include "aurite/common/error.hpp"

namespace aurite::execution::detail {
namespace {

using Json = nlohmann::json;

constexpr int kStateVersion = 1;

Json outcome_json(const ToolCallOutcome& outcome) {
  const ToolCallRecord& record = outcome.record;
  return {{"result_text", record.result_text},
          {"is_error", record.is_error},
          {"duration_ms", record.duration_ms},
          {"client_id", record.client_id},
          {"block", outcome.result_block}};
}

ToolCallOutcome outcome_from(const ToolCallRequest& request, const Json& json) {
  ToolCallOutcome outcome;
  outcome.record = {request.id,
                    request.name,
                    request.input,
                    json.at("result_text").get<std::string>(),
                    json.at("is_error").get<bool>(),
                    json.at("duration_ms").get<double>(),
                    json.value("client_id", "")};  // states written before 8 have none
  outcome.result_block = json.at("block");
  return outcome;
}

}  // namespace

std::string to_state_json(const PausedState& state) {
  Json messages = Json::array();
  for (const auto& message : state.messages) messages.push_back(llm::to_json(message));
  Json calls = Json::array();
  for (std::size_t i = 0; i < state.calls.requests.size(); ++i) {
    const ToolCallRequest& request = state.calls.requests[i];
    const auto& outcome = state.calls.outcomes[i];
    calls.push_back({{"id", request.id},
                     {"name", request.name},
                     {"input", request.input},
                     {"outcome", outcome ? outcome_json(*outcome) : Json(nullptr)}});
  }
  return Json{{"version", kStateVersion},
              {"messages", std::move(messages)},
              {"calls", std::move(calls)},
              {"history", state.history},
              {"iterations", state.iterations},
              {"corrections", state.corrections}}
      .dump();
}

PausedState paused_state_from_json(const std::string& json, const std::string& run_id) {
  const Json parsed = Json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || parsed.value("version", 0) != kStateVersion) {
    throw Error(ErrorCode::kInternal, "paused run '" + run_id + "' has a state this version of aurite does not read");
  }
  try {
    PausedState state;
    for (const auto& message : parsed.at("messages")) state.messages.push_back(llm::message_from_json(message));
    const Json& calls = parsed.at("calls");
    state.calls = TurnCalls(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const Json& call = calls[i];
      state.calls.requests.push_back(
          {call.at("id").get<std::string>(), call.at("name").get<std::string>(), call.at("input")});
      if (!call.at("outcome").is_null()) state.calls.outcomes[i] = outcome_from(state.calls.requests[i], call["outcome"]);
    }
    state.history = parsed.at("history").get<bool>();
    state.iterations = parsed.at("iterations").get<int>();
    state.corrections = parsed.at("corrections").get<int>();
    return state;
  } catch (const Json::exception& e) {
    throw Error(ErrorCode::kInternal, "paused run '" + run_id + "' has a damaged state: " + e.what());
  }
}

}  // namespace aurite::execution::detail
