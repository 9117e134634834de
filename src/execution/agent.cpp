#include "aurite/execution/agent.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "execution/answer_schema.hpp"
#include "execution/tool_calls.hpp"

namespace aurite::execution {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::vector<llm::Message> load_history(storage::HistoryStore& store, const std::string& agent,
                                       const std::string& session, std::size_t limit) {
  std::vector<llm::Message> messages;
  for (const auto& turn : store.load_history(agent, session, limit)) {
    const Json content = Json::parse(turn.content_json, nullptr, false);
    if (content.is_discarded()) {
      throw Error(ErrorCode::kProtocol, fmt::format("history of agent '{}' session '{}': turn {} is not JSON",
                                                    agent, session, turn.seq));
    }
    messages.push_back(llm::message_from_json({{"role", turn.role}, {"content", content}}));
  }
  return messages;
}

}  // namespace

Agent::Agent(config::AgentConfig config, ModelChoice model, AgentDependencies dependencies)
    : config_(std::move(config)), model_(std::move(model)), deps_(dependencies) {}

AgentResult Agent::run(const std::string& message, const std::string& session_id, RunObserver* observer) {
  const auto started = Clock::now();
  AgentResult result;
  result.agent_name = config_.name;
  result.session_id = session_id.empty() ? storage::kDefaultSession : session_id;
  storage::HistoryStore* history = config_.include_history.value_or(false) ? deps_.history : nullptr;

  llm::ModelRequest request;
  request.model = model_.model;
  request.temperature = model_.temperature;
  request.max_tokens = model_.max_tokens;
  request.response_schema = config_.schema;
  std::string system = config_.system_prompt.value_or(model_.default_system_prompt.value_or(""));
  if (config_.schema) system += (system.empty() ? "" : "\n\n") + detail::schema_instruction(*config_.schema);
  if (!system.empty()) request.system = system;
  for (const auto& tool : deps_.tools.tools_for(config_)) {
    request.tools.push_back({tool.name, tool.description, tool.input_schema});
  }
  // A run without the tools its agent was given is not the run that was asked for:
  // it fails before anything is stored, unless the client is marked optional.
  for (auto& failure : deps_.tools.failed_clients(&config_)) {
    if (!failure.optional) {
      throw Error(ErrorCode::kUnavailable,
                  fmt::format("agent '{}' cannot run without MCP client '{}': {} (mark the client \"optional\": true "
                              "to run without it)",
                              config_.name, failure.client_id, failure.error));
    }
    spdlog::warn("agent '{}' runs without optional MCP client '{}': {}", config_.name, failure.client_id, failure.error);
    result.unavailable_clients.push_back(std::move(failure));
  }

  if (history) {
    const auto limit = static_cast<std::size_t>(config_.history_limit.value_or(config::kDefaultHistoryLimit));
    request.messages = load_history(*history, config_.name, result.session_id, limit);
    result.history_turns_loaded = request.messages.size();
    if (observer) observer->on_history_loaded(config_.name, result.history_turns_loaded);
    detail::answer_unanswered_tool_calls(request.messages);
  }

  // Every turn goes to the conversation, the result and (durably) the store at once.
  const auto add_turn = [&](llm::Message turn) {
    if (history) history->append_turn(config_.name, result.session_id, turn.role, turn.content.dump());
    result.new_turns.push_back(turn);
    request.messages.push_back(std::move(turn));
  };
  add_turn(llm::user_text(message));

  const int max_iterations = static_cast<int>(config_.max_iterations.value_or(config::kDefaultMaxIterations));
  int corrections = 0;
  llm::TextDeltaHandler on_text;
  if (observer) on_text = [observer](const std::string& delta) { observer->on_text_delta(delta); };
  while (true) {
    if (result.iterations >= max_iterations) {
      result.status = RunStatus::kMaxIterations;
      break;
    }
    ++result.iterations;
    if (observer) observer->on_model_call(config_.name, result.iterations);
    const auto model_started = Clock::now();
    llm::ModelResponse reply = deps_.model.complete(request, on_text);
    const double model_ms = ms_since(model_started);
    result.model_ms += model_ms;
    result.usage.input_tokens += reply.usage.input_tokens;
    result.usage.output_tokens += reply.usage.output_tokens;
    if (observer) observer->on_model_reply(config_.name, reply, model_ms);
    const auto tool_uses = llm::tool_uses_of(reply.message);
    result.final_text = llm::text_of(reply.message.content);
    add_turn(reply.message);

    if (!tool_uses.empty()) {
      const auto tools_started = Clock::now();
      llm::Message results{"user", Json::array()};
      for (auto& outcome : detail::run_tool_calls(deps_.tools, config_, tool_uses, observer)) {
        results.content.push_back(std::move(outcome.result_block));
        result.tool_calls.push_back(std::move(outcome.record));
      }
      result.tool_ms += ms_since(tools_started);
      add_turn(std::move(results));
      continue;
    }
    if (!config_.schema) break;
    const auto answer = detail::extract_json(result.final_text);
    const auto violations = answer ? detail::schema_violations(*config_.schema, *answer)
                                   : std::vector<std::string>{"the answer is not a JSON value"};
    if (violations.empty()) {
      result.final_json = answer;
      break;
    }
    if (corrections >= kMaxSchemaCorrections) {
      result.status = RunStatus::kSchemaMismatch;
      break;
    }
    ++corrections;
    spdlog::debug("agent '{}': answer does not match its schema ({} problems); asking for a correction",
                  config_.name, violations.size());
    add_turn(llm::user_text(detail::correction_request(violations)));
  }
  result.total_ms = ms_since(started);
  if (observer) observer->on_agent_done(result);
  return result;
}

}  // namespace aurite::execution
