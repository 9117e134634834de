#include "aurite/execution/execution_facade.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "aurite/common/wall_clock.hpp"
#include "execution/graph_run.hpp"
#include "execution/plugin_library.hpp"

namespace aurite::execution {
namespace {

using Clock = std::chrono::steady_clock;

std::string client_key(const llm::ProviderSettings& s) {
  return s.provider + "|" + s.base_url.value_or("") + "|" + s.api_key_env.value_or("");
}

// What a custom workflow sees: the facade, with the options of the run that started it.
class OptionsContext final : public WorkflowContext {
 public:
  OptionsContext(ExecutionFacade& facade, const RunOptions& options) : facade_(facade), options_(options) {}
  AgentResult run_agent(const std::string& name, const std::string& message, const std::string& session_id) override {
    return facade_.run_agent(name, message, session_id, nullptr, options_);
  }
  WorkflowResult run_simple_workflow(const std::string& name, const std::string& message,
                                     const std::string& session_id) override {
    return facade_.run_simple_workflow(name, message, session_id, nullptr, options_);
  }

 private:
  ExecutionFacade& facade_;
  const RunOptions& options_;
};

Error already_decided(const storage::ApprovalRecord& record) {
  return Error(ErrorCode::kAlreadyDecided,
               fmt::format("approval '{}' ({} for agent '{}') was already {} by {} at {}", record.id, record.tool,
                           record.agent_name, record.status, record.decided_by, record.decided_at));
}

// Marks a continued run done however its continuation ends: a failed continuation is
// reported to its caller, and the run is not taken up twice.
class FinishOnExit {
 public:
  FinishOnExit(storage::ApprovalStore& store, std::string run_id) : store_(store), run_id_(std::move(run_id)) {}
  FinishOnExit(const FinishOnExit&) = delete;
  FinishOnExit& operator=(const FinishOnExit&) = delete;
  ~FinishOnExit() {
    try {
      store_.finish_paused_run(run_id_);
    } catch (const std::exception& e) {
      spdlog::warn("paused run '{}' could not be marked done: {}", run_id_, e.what());
    }
  }

 private:
  storage::ApprovalStore& store_;
  std::string run_id_;
};

}  // namespace

ExecutionFacade::ExecutionFacade(const ConfigLookup& configs, mcp::McpHost& tools, storage::HistoryStore* history,
                                 LlmClientFactory make_client, std::unique_ptr<SessionGate> sessions,
                                 storage::ApprovalStore* approvals)
    : configs_(configs),
      tools_(tools),
      history_(history),
      make_client_(std::move(make_client)),
      plugins_(std::make_unique<LoadedPlugins>()),
      sessions_(sessions ? std::move(sessions) : std::make_unique<SessionGate>(nullptr)),
      approvals_(approvals) {}

ExecutionFacade::~ExecutionFacade() = default;

llm::LlmClient& ExecutionFacade::client_for(const llm::ProviderSettings& settings) {
  std::lock_guard lock(clients_mutex_);
  auto& client = clients_[client_key(settings)];
  if (!client) client = make_client_(settings);
  return *client;
}

AgentResult ExecutionFacade::run_agent(const std::string& name, const std::string& message,
                                       const std::string& session_id, RunObserver* observer,
                                       const RunOptions& options) {
  auto config = configs_.find_agent(name);
  if (!config) throw Error(ErrorCode::kNotFound, fmt::format("no agent named '{}'", name));
  std::optional<config::LlmConfig> llm;
  if (config->llm_config_id) llm = configs_.find_llm(*config->llm_config_id);
  ModelChoice model = choose_model(*config, llm);
  llm::LlmClient& client = client_for(model.provider);
  // Held from before the history is loaded until the last turn is stored.
  if (options.include_history) config->include_history = options.include_history;
  SessionPass pass;
  if (config->include_history.value_or(false)) {
    pass = sessions_->enter(name, session_id, options.on_busy);
    refuse_while_paused(name, session_id);
  }
  Agent agent(std::move(*config), std::move(model), dependencies(client, options.may_pause, options));
  return agent.run(message, session_id, observer);
}

AgentDependencies ExecutionFacade::dependencies(llm::LlmClient& client, bool may_pause,
                                                const RunOptions& options) const {
  AgentDependencies deps{client, tools_, history_, nullptr, "", options.cancel, options.run_id};
  if (approvals_ == nullptr) {
    deps.why_no_wait =
        "decide it on a terminal (`aurite run` or `aurite chat`), or turn the database on (AURITE_ENABLE_DB=true) "
        "so that it waits for a decision (`aurite approvals`)";
  } else if (may_pause) {
    deps.approvals = approvals_;
  } else {
    deps.why_no_wait =
        "the steps of a workflow and the messages of a chat do not wait for approvals: decide it on a terminal, or "
        "run the agent on its own (`aurite run`)";
  }
  return deps;
}

void ExecutionFacade::refuse_while_paused(const std::string& agent, const std::string& session_id) const {
  if (approvals_ == nullptr) return;
  const std::string session = session_id.empty() ? storage::kDefaultSession : session_id;
  if (const auto run = approvals_->waiting_run_on(agent, session)) {
    throw Error(ErrorCode::kSessionBusy,
                fmt::format("session '{}' of agent '{}' waits for approval of tool calls (run {}): decide them first "
                            "(`aurite approvals list --session {}`)",
                            session, agent, *run, session));
  }
}

Json ExecutionFacade::decide_approval(const std::string& approval_id, const ApprovalDecision& decision,
                                      const std::string& decided_by, RunObserver* observer, const RunOptions& options) {
  if (approvals_ == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "approvals are kept in the database: set AURITE_ENABLE_DB=true");
  }
  if (decision.arguments && !decision.arguments->is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("the arguments of approval '{}' must be a JSON object, not {}", approval_id,
                            decision.arguments->dump()));
  }
  const auto record = approvals_->find_approval(approval_id);
  if (!record) throw Error(ErrorCode::kNotFound, fmt::format("no approval with id '{}'", approval_id));
  if (record->status != "pending") throw already_decided(*record);
  // Everything the continuation needs is checked before the decision is recorded.
  auto config = configs_.find_agent(record->agent_name);
  if (!config) {
    throw Error(ErrorCode::kNotFound, fmt::format("approval '{}' is of agent '{}', which is no longer configured",
                                                  approval_id, record->agent_name));
  }
  std::optional<config::LlmConfig> llm;
  if (config->llm_config_id) llm = configs_.find_llm(*config->llm_config_id);
  ModelChoice model = choose_model(*config, llm);
  llm::LlmClient& client = client_for(model.provider);

  const std::optional<std::string> arguments =
      decision.approved && decision.arguments ? std::optional(decision.arguments->dump()) : std::nullopt;
  if (!approvals_->decide_approval(approval_id, decision.approved, arguments, decision.reason, decided_by)) {
    throw already_decided(approvals_->find_approval(approval_id).value_or(*record));
  }
  // A run that stores history goes on holding its session, as it ran.
  SessionPass pass;
  if (record->turn_seq > 0) pass = sessions_->enter(record->agent_name, record->session_id, options.on_busy);
  const auto claimed = approvals_->claim_paused_run(record->run_id, new_lease_holder());
  const Json decided = to_json(approvals_->find_approval(approval_id).value_or(*record));
  if (!claimed) {
    Json waiting = Json::array();
    for (const auto& other : approvals_->approvals_of_run(record->run_id)) {
      if (other.status == "pending") waiting.push_back(to_json(other));
    }
    const bool resuming = waiting.empty();  // the last decision was made elsewhere at the same time
    return {{"kind", "approval"},
            {"status", resuming ? "resuming" : "awaiting_approval"},
            {"agent", record->agent_name},
            {"session_id", record->session_id},
            {"run_id", record->run_id},
            {"approval", decided},
            {"pending_approvals", std::move(waiting)}};
  }
  FinishOnExit finish(*approvals_, claimed->id);
  if (options.on_continue) options.on_continue(claimed->id);
  RunOptions continuing = options;
  continuing.run_id = claimed->id;
  Agent agent(std::move(*config), std::move(model), dependencies(client, true, continuing));
  Json out = agent.resume(*claimed, approvals_->approvals_of_run(claimed->id), observer).to_json();
  out["kind"] = "agent";
  out["approval"] = decided;
  return out;
}

WorkflowResult ExecutionFacade::run_simple_workflow(const std::string& name, const std::string& message,
                                                    const std::string& session_id, RunObserver* observer,
                                                    const RunOptions& options) {
  const auto config = configs_.find_workflow(name);
  if (!config) throw Error(ErrorCode::kNotFound, fmt::format("no workflow named '{}'", name));
  const auto started = Clock::now();
  WorkflowResult result;
  result.workflow_name = name;
  result.session_id = session_id.empty() ? storage::kDefaultSession : session_id;
  RunOptions step_options = options;
  step_options.may_pause = false;
  if (config->include_history) step_options.include_history = config->include_history;
  std::string input = message;
  for (std::size_t i = 0; i < config->steps.size(); ++i) {
    const config::WorkflowStep& step = config->steps[i];
    if (options.cancel != nullptr && options.cancel->cancelled()) {
      throw Error(ErrorCode::kCancelled, fmt::format("workflow '{}': the run was cancelled before step {} ('{}')", name,
                                                     i + 1, step.name));
    }
    if (observer) observer->on_step(name, i, step.name);
    const std::string type = step.type.value_or(configs_.find_agent(step.name)      ? "agent"
                                                : configs_.find_workflow(step.name) ? "linear_workflow"
                                                                                    : "custom_workflow");
    if (type == "linear_workflow") {
      WorkflowResult nested = run_simple_workflow(step.name, input, result.session_id, observer, step_options);
      result.status = nested.status;
      result.final_text = nested.final_text;
      for (auto& agent_step : nested.steps) result.steps.push_back(std::move(agent_step));
    } else if (type == "custom_workflow") {
      const Json output = run_custom_workflow(step.name, Json(input), result.session_id, step_options);
      result.status = RunStatus::kCompleted;
      result.final_text = output.is_string() ? output.get<std::string>() : output.dump();
    } else {
      AgentResult agent_step = run_agent(step.name, input, result.session_id, observer, step_options);
      result.status = agent_step.status;
      result.final_text = agent_step.final_text;
      result.steps.push_back(std::move(agent_step));
    }
    input = result.final_text;
    if (result.status != RunStatus::kCompleted) break;
  }
  result.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return result;
}

GraphWorkflowResult ExecutionFacade::run_graph_workflow(const std::string& name, const std::string& message,
                                                        const std::string& session_id, RunObserver* observer,
                                                        const RunOptions& options) {
  const auto config = configs_.find_graph_workflow(name);
  if (!config) throw Error(ErrorCode::kNotFound, fmt::format("no graph workflow named '{}'", name));
  RunOptions node_options = options;
  node_options.may_pause = false;
  if (config->include_history) node_options.include_history = config->include_history;
  const std::string session = session_id.empty() ? storage::kDefaultSession : session_id;
  const RunNode run_node = [&](const std::string& agent, const std::string& input, RunObserver* node_observer) {
    return run_agent(agent, input, session, node_observer, node_options);
  };
  return run_graph(*config, message, session, run_node, observer);
}

Json ExecutionFacade::run_custom_workflow(const std::string& name, const Json& input, const std::string& session_id,
                                          const RunOptions& options) {
  const auto config = configs_.find_custom_workflow(name);
  if (!config) throw Error(ErrorCode::kNotFound, fmt::format("no custom workflow named '{}'", name));
  if (config::is_python_workflow(*config)) {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("custom workflow '{}' is a Python workflow (module_path '{}'), which does not run here: "
                            "C++ plugins replace Python workflows (a shared library defining the class with "
                            "AURITE_WORKFLOW_PLUGIN from aurite/execution/custom_workflow.hpp, and module_path "
                            "naming the .so; see README, \"Custom workflows\")",
                            name, config->module_path));
  }
  const auto path = resolve_module_path(configs_.base_dir(), config->module_path);
  auto workflow = plugins_->create(path, config->class_name);
  RunOptions step_options = options;
  step_options.may_pause = false;
  OptionsContext context(*this, step_options);
  return workflow->execute(context, input, session_id.empty() ? storage::kDefaultSession : session_id);
}

std::optional<std::string> kind_of(const ConfigLookup& configs, const std::string& name) {
  if (configs.find_agent(name)) return "agent";
  if (configs.find_workflow(name)) return "workflow";
  if (configs.find_graph_workflow(name)) return "graph_workflow";
  if (configs.find_custom_workflow(name)) return "custom_workflow";
  return std::nullopt;
}

Json ExecutionFacade::run(const std::string& name, const std::string& message, const std::string& session_id,
                          RunObserver* observer, const RunOptions& options) {
  if (configs_.find_agent(name)) {
    Json out = run_agent(name, message, session_id, observer, options).to_json();
    out["kind"] = "agent";
    return out;
  }
  if (configs_.find_workflow(name)) {
    Json out = run_simple_workflow(name, message, session_id, observer, options).to_json();
    out["kind"] = "workflow";
    return out;
  }
  if (configs_.find_graph_workflow(name)) {
    Json out = run_graph_workflow(name, message, session_id, observer, options).to_json();
    out["kind"] = "graph_workflow";
    return out;
  }
  if (configs_.find_custom_workflow(name)) {
    const auto started = Clock::now();
    Json result = run_custom_workflow(name, message, session_id, options);
    return {{"kind", "custom_workflow"},
            {"workflow", name},
            {"session_id", session_id.empty() ? storage::kDefaultSession : session_id},
            {"status", "completed"},
            {"result", result},
            {"final_text", result.is_string() ? result.get<std::string>() : result.dump()},
            {"timings_ms", {{"total", std::chrono::duration<double, std::milli>(Clock::now() - started).count()}}}};
  }
  throw Error(ErrorCode::kNotFound, fmt::format("no agent, workflow, graph workflow or custom workflow named '{}'", name));
}

}  // namespace aurite::execution
