#include "aurite/execution/agent.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"
#include "execution/answer_schema.hpp"
#include "execution/paused_state.hpp"
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

std::string new_id(const char* prefix) { return prefix + secrets::to_hex(secrets::random_bytes(8)); }

// One run of the loop, from its start or from a pause: the conversation, what the run
// produced so far, and where its turns go.
class RunLoop {
 public:
  RunLoop(const config::AgentConfig& config, const ModelChoice& model, const AgentDependencies& deps,
          const std::string& session_id, RunObserver* observer)
      : config_(config), model_(model), deps_(deps), observer_(observer), started_(Clock::now()) {
    result.agent_name = config_.name;
    result.session_id = session_id.empty() ? storage::kDefaultSession : session_id;
    request.model = model.model;
    request.temperature = model.temperature;
    request.max_tokens = model.max_tokens;
    request.response_schema = config_.schema;
    request.cancel = deps_.cancel;
    std::string system = config_.system_prompt.value_or(model.default_system_prompt.value_or(""));
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
      spdlog::warn("agent '{}' runs without optional MCP client '{}': {}", config_.name, failure.client_id,
                   failure.error);
      result.unavailable_clients.push_back(std::move(failure));
    }
  }

  void use_history(storage::HistoryStore* store) { history_ = store; }
  storage::HistoryStore* history() const { return history_; }

  void load_history() {
    const auto limit = static_cast<std::size_t>(config_.history_limit.value_or(config::kDefaultHistoryLimit));
    request.messages = execution::load_history(*history_, config_.name, result.session_id, limit);
    result.history_turns_loaded = request.messages.size();
    if (observer_) observer_->on_history_loaded(config_.name, result.history_turns_loaded);
    detail::answer_unanswered_tool_calls(request.messages);
  }

  // Every turn goes to the conversation, the result and (durably) the store at once, with
  // what it cost.
  void add_turn(llm::Message turn, const storage::TurnUsage& usage = {}) {
    if (history_) {
      last_seq = history_->append_turn(config_.name, result.session_id, turn.role, turn.content.dump(), usage);
      if (observer_) observer_->on_turn_stored(config_.name, result.session_id, last_seq);
    }
    result.new_turns.push_back(turn);
    request.messages.push_back(std::move(turn));
  }

  // Runs what is left of a model turn's calls and answers the model with their results;
  // false when some still wait for a person (the run paused instead).
  bool finish_calls(detail::TurnCalls calls) {
    const auto tools_started = Clock::now();
    detail::run_open_calls(deps_.tools, config_, calls, observer_, deps_.cancel);
    result.tool_ms += ms_since(tools_started);
    // Cut off: the results so far are stored (the cut ones say so), and the run ends.
    const bool cancelled = cancel_requested();
    for (std::size_t i = 0; i < calls.outcomes.size(); ++i) {
      if (calls.decided_here[i] && calls.outcomes[i]) result.tool_calls.push_back(calls.outcomes[i]->record);
    }
    if (calls.any_waiting() && !cancelled) {
      pause(std::move(calls));
      return false;
    }
    llm::Message results{"user", Json::array()};
    storage::TurnUsage usage{deps_.run_id, std::nullopt, {}};
    for (std::size_t i = 0; i < calls.outcomes.size(); ++i) {
      if (!calls.outcomes[i]) calls.outcomes[i] = detail::unrun_call(calls.requests[i], "not run: the run was cancelled");
      const ToolCallRecord& record = calls.outcomes[i]->record;
      usage.tool_calls.push_back({record.id, record.client_id, record.name, record.duration_ms, record.is_error});
      results.content.push_back(std::move(calls.outcomes[i]->result_block));
    }
    add_turn(std::move(results), usage);
    if (cancelled) throw_cancelled();
    return true;
  }

  bool cancel_requested() const { return deps_.cancel != nullptr && deps_.cancel->cancelled(); }
  [[noreturn]] void throw_cancelled() const {
    throw Error(ErrorCode::kCancelled, fmt::format("agent '{}': the run was cancelled", config_.name));
  }

  // Calls the model until it answers without tools, a limit is reached or the run pauses.
  void run_model_loop() {
    const int max_iterations = static_cast<int>(config_.max_iterations.value_or(config::kDefaultMaxIterations));
    llm::TextDeltaHandler on_text;
    if (observer_ && observer_->wants_text_deltas()) on_text = [observer = observer_](const std::string& delta) { observer->on_text_delta(delta); };
    while (true) {
      if (result.iterations >= max_iterations) {
        result.status = RunStatus::kMaxIterations;
        return;
      }
      if (cancel_requested()) throw_cancelled();
      ++result.iterations;
      if (observer_) observer_->on_model_call(config_.name, result.iterations);
      const auto model_started = Clock::now();
      llm::ModelResponse reply;
      try {
        reply = deps_.model.complete(request, on_text);
      } catch (...) {
        telemetry::record_model_call(model_.provider.provider, model_.model, false, ms_since(model_started) / 1000, {});
        throw;
      }
      const double model_ms = ms_since(model_started);
      telemetry::record_model_call(model_.provider.provider, model_.model, true, model_ms / 1000,
                                   {reply.usage.input_tokens, reply.usage.output_tokens, reply.usage.cache_read_tokens,
                                    reply.usage.cache_write_tokens});
      result.model_ms += model_ms;
      result.usage += reply.usage;
      result.model_calls.push_back(model_call_record(reply, model_ms));
      if (observer_) observer_->on_model_reply(config_.name, reply, model_ms);
      const auto tool_uses = llm::tool_uses_of(reply.message);
      result.final_text = llm::text_of(reply.message.content);
      add_turn(reply.message, storage::TurnUsage{deps_.run_id, result.model_calls.back().usage, {}});

      if (!tool_uses.empty()) {
        auto calls = detail::decide_tool_calls(deps_.tools, config_, tool_uses, observer_, deps_.approvals != nullptr,
                                               deps_.why_no_wait);
        if (!finish_calls(std::move(calls))) return;
        continue;
      }
      if (!config_.schema) return;
      const auto answer = detail::extract_json(result.final_text);
      const auto violations = answer ? detail::schema_violations(*config_.schema, *answer)
                                     : std::vector<std::string>{"the answer is not a JSON value"};
      if (violations.empty()) {
        result.final_json = answer;
        return;
      }
      if (corrections >= kMaxSchemaCorrections) {
        result.status = RunStatus::kSchemaMismatch;
        return;
      }
      ++corrections;
      spdlog::debug("agent '{}': answer does not match its schema ({} problems); asking for a correction",
                    config_.name, violations.size());
      add_turn(llm::user_text(detail::correction_request(violations)));
    }
  }

  AgentResult done() {
    result.total_ms = ms_since(started_);
    if (observer_) observer_->on_agent_done(result);
    return std::move(result);
  }

  llm::ModelRequest request;
  AgentResult result;
  int corrections = 0;
  std::int64_t last_seq = 0;  // of the last turn stored

 private:
  ModelCallRecord model_call_record(const llm::ModelResponse& reply, double model_ms) const {
    ModelCallRecord call;
    call.usage = {model_.provider.provider,     model_.model,
                  model_.llm_id,                reply.usage.input_tokens,
                  reply.usage.output_tokens,    reply.usage.cache_read_tokens,
                  reply.usage.cache_write_tokens, reply.stop_reason,
                  reply.first_token_ms,         model_ms};
    if (model_.pricing) {
      call.cost_usd = model_.pricing->cost_usd(reply.usage.input_tokens, reply.usage.output_tokens,
                                               reply.usage.cache_read_tokens, reply.usage.cache_write_tokens);
    }
    return call;
  }

  // The model turn is stored; its ungated calls ran. The gated ones wait in the database,
  // with what the run needs to go on, written at once.
  void pause(detail::TurnCalls calls) {
    storage::PausedRun run{deps_.run_id.empty() ? new_id("run_") : deps_.run_id, config_.name, result.session_id, history_ ? last_seq : 0, ""};
    std::vector<storage::PendingCall> pending;
    for (std::size_t i = 0; i < calls.waiting.size(); ++i) {
      if (!calls.waiting[i]) continue;
      const ApprovalRequest& call = *calls.waiting[i];
      PendingApproval approval{new_id("apr_"), call.call_id, call.tool, call.client_id, call.arguments, call.why};
      pending.push_back({approval.id, approval.call_id, approval.tool, approval.client_id, approval.arguments.dump(),
                         approval.why});
      result.pending_approvals.push_back(std::move(approval));
    }
    detail::PausedState state;
    state.messages = request.messages;
    state.calls = std::move(calls);
    state.history = history_ != nullptr;
    state.iterations = result.iterations;
    state.corrections = corrections;
    run.state_json = detail::to_state_json(state);
    deps_.approvals->pause_run(run, pending);
    result.status = RunStatus::kAwaitingApproval;
    result.paused_run_id = run.id;
    if (observer_) {
      for (const auto& approval : result.pending_approvals) observer_->on_approval_required(config_.name, approval);
    }
  }

  const config::AgentConfig& config_;
  const ModelChoice& model_;
  const AgentDependencies& deps_;
  RunObserver* observer_;
  storage::HistoryStore* history_ = nullptr;
  const Clock::time_point started_;
};

}  // namespace

Agent::Agent(config::AgentConfig config, ModelChoice model, AgentDependencies dependencies)
    : config_(std::move(config)), model_(std::move(model)), deps_(std::move(dependencies)) {}

AgentResult Agent::run(const std::string& message, const std::string& session_id, RunObserver* observer) {
  RunLoop loop(config_, model_, deps_, session_id, observer);
  if (config_.include_history.value_or(false) && deps_.history) {
    loop.use_history(deps_.history);
    loop.load_history();
  }
  loop.add_turn(llm::user_text(message));
  loop.run_model_loop();
  return loop.done();
}

AgentResult Agent::resume(const storage::PausedRun& paused, const std::vector<storage::ApprovalRecord>& decisions,
                          RunObserver* observer) {
  RunLoop loop(config_, model_, deps_, paused.session_id, observer);
  detail::PausedState state = detail::paused_state_from_json(paused.state_json, paused.id);
  if (state.history) loop.use_history(deps_.history);
  loop.request.messages = std::move(state.messages);
  loop.result.iterations = state.iterations;
  loop.corrections = state.corrections;
  loop.last_seq = paused.turn_seq;
  detail::TurnCalls calls = std::move(state.calls);
  for (std::size_t i = 0; i < calls.requests.size(); ++i) {
    if (calls.outcomes[i]) continue;
    ToolCallRequest& request = calls.requests[i];
    const auto decision = std::find_if(decisions.begin(), decisions.end(),
                                       [&](const storage::ApprovalRecord& record) { return record.call_id == request.id; });
    if (decision == decisions.end() || decision->status == "pending") {
      throw Error(ErrorCode::kInternal,
                  fmt::format("paused run '{}': call {} of {} has no decision", paused.id, request.id, request.name));
    }
    if (decision->status == "denied") {
      calls.outcomes[i] = detail::denied_call(request, decision->reason);
      calls.decided_here[i] = true;
      if (observer) observer->on_tool_result(config_.name, calls.outcomes[i]->record);
    } else if (decision->decided_arguments_json) {
      request.input = Json::parse(*decision->decided_arguments_json);
    }
  }
  if (loop.finish_calls(std::move(calls))) loop.run_model_loop();
  return loop.done();
}

}  // namespace aurite::execution
