// execution/execution_facade — runs agents, simple workflows and custom workflows by
// name, with the project's configurations, MCP tools, models and history.
//
// Thread-safety: any number of runs may go on at once; model clients are created once
// per endpoint and shared.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "aurite/execution/agent.hpp"
#include "aurite/execution/custom_workflow.hpp"
#include "aurite/execution/session_gate.hpp"

namespace aurite::execution {

// Where the facade reads configurations; the HostManager implements it, so a component
// registered while the program runs is used by the next run.
class ConfigLookup {
 public:
  virtual ~ConfigLookup() = default;
  virtual std::optional<config::AgentConfig> find_agent(const std::string& name) const = 0;
  virtual std::optional<config::LlmConfig> find_llm(const std::string& llm_id) const = 0;
  virtual std::optional<config::WorkflowConfig> find_workflow(const std::string& name) const = 0;
  virtual std::optional<config::CustomWorkflowConfig> find_custom_workflow(const std::string& name) const = 0;
  virtual std::optional<config::GraphWorkflowConfig> find_graph_workflow(const std::string& name) const = 0;
  // The folder relative module paths resolve against.
  virtual std::filesystem::path base_dir() const = 0;
};

using LlmClientFactory = std::function<std::unique_ptr<llm::LlmClient>(const llm::ProviderSettings&)>;

class LoadedPlugins;

struct RunOptions {
  // What an agent run does when its session is held by another run (see session_gate).
  OnBusy on_busy = OnBusy::kWait;
  // Set: the agents run load and store history or not, whatever their include_history
  // says (a workflow's include_history sets it for its steps and nodes).
  std::optional<bool> include_history;
  // A gated call nobody decides makes an agent run pause (RunStatus::kAwaitingApproval)
  // when the facade has an approval store. Off, or in the steps and nodes of workflows
  // (which cannot be taken up again part-way), such a call stops the run instead.
  bool may_pause = false;
  // Set: cancelling it stops the run and everything it runs (workflow steps, graph
  // nodes, custom workflows' agents) with Error(kCancelled); see Agent::run.
  Cancellation* cancel = nullptr;
  // The run's own id: a paused agent run is recorded under it. Empty: a new id.
  std::string run_id;
  // decide_approval: called with the paused run's id once this process took it up,
  // before it goes on.
  std::function<void(const std::string& run_id)> on_continue;
};

// What `name` is ("agent", "workflow", "graph_workflow", "custom_workflow"), looked up
// in that order as run() does; nullopt when nothing has the name.
std::optional<std::string> kind_of(const ConfigLookup& configs, const std::string& name);

class ExecutionFacade : public WorkflowContext {
 public:
  // `history` may be null (no database, or history storage off). `sessions` keeps runs on
  // one session apart; null means a gate for this process only (no lease store).
  // `approvals` keeps paused runs; null without a database.
  ExecutionFacade(const ConfigLookup& configs, mcp::McpHost& tools, storage::HistoryStore* history,
                  LlmClientFactory make_client = llm::make_llm_client, std::unique_ptr<SessionGate> sessions = nullptr,
                  storage::ApprovalStore* approvals = nullptr);
  ~ExecutionFacade() override;

  // Throws Error(kNotFound) for an unknown name; otherwise as Agent::run. An agent that
  // includes history runs only while it holds its session (SessionGate::enter, which
  // throws Error(kSessionBusy) as it documents), and not while a paused run of the
  // session waits for approvals (kSessionBusy naming it); one without history shares
  // nothing and never waits.
  AgentResult run_agent(const std::string& name, const std::string& message, const std::string& session_id,
                        RunObserver* observer, const RunOptions& options = {});
  AgentResult run_agent(const std::string& name, const std::string& message, const std::string& session_id) override {
    return run_agent(name, message, session_id, nullptr);
  }

  // Runs the steps in order, each step's final text the next step's message, every step
  // on the same session id (each agent keeps its own history there). A step names an
  // agent, another simple workflow or a custom workflow (its type, or whichever the name
  // is). Stops at the first step that does not complete, with that step's status.
  WorkflowResult run_simple_workflow(const std::string& name, const std::string& message,
                                     const std::string& session_id, RunObserver* observer,
                                     const RunOptions& options = {});
  WorkflowResult run_simple_workflow(const std::string& name, const std::string& message,
                                     const std::string& session_id) override {
    return run_simple_workflow(name, message, session_id, nullptr);
  }

  // Loads the workflow's library (once), creates class_name and executes it. module_path
  // resolves against the project folder, then each folder of $AURITE_PLUGIN_PATH, then the
  // installation's plugin folder (by file name); it may not lead outside the project folder unless
  // AURITE_ALLOW_EXTERNAL_MODULES=true. Throws Error(kNotFound) for an unknown workflow,
  // kInvalidConfig naming the path for a module_path outside the project folder, a library
  // that cannot be loaded, lacks the entry points, has another ABI version or does not know
  // class_name, and for a Python workflow (an Aurite 0.4 module_path), which cannot run here.
  // The agents and workflows it runs get `options`.
  Json run_custom_workflow(const std::string& name, const Json& input, const std::string& session_id,
                           const RunOptions& options = {});

  // Runs the graph's nodes, each as soon as all its predecessors are done, those that are
  // ready together on threads of their own; every node on the same session id. A node
  // that does not complete stops the graph there: nothing more starts, the nodes running
  // finish, and the result has that node's status and id. A node that throws does the
  // same, then its error is thrown again with the workflow, node and agent named (what
  // the nodes stored stays stored). Throws Error(kNotFound) for an unknown workflow.
  GraphWorkflowResult run_graph_workflow(const std::string& name, const std::string& message,
                                         const std::string& session_id, RunObserver* observer,
                                         const RunOptions& options = {});

  // Runs an agent, simple workflow, graph workflow or custom workflow, whichever `name`
  // is, and returns its result as JSON with "kind" set.
  Json run(const std::string& name, const std::string& message, const std::string& session_id,
           RunObserver* observer = nullptr, const RunOptions& options = {});

  // Records a person's decision on a waiting call, by `decided_by` (who, for the record).
  // The decision that leaves none of its run's calls waiting takes the run up here, in
  // its session, and returns the agent's result as run() does; until then (and when
  // another process took the run up first) {"kind": "approval", "status":
  // "awaiting_approval" or "resuming", "run_id", "approval", "pending_approvals"}.
  // Throws Error: kInvalidArgument without an approval store or for arguments that are
  // not an object; kNotFound for an unknown id or an agent no longer configured;
  // kAlreadyDecided naming who decided and when; otherwise as run_agent.
  Json decide_approval(const std::string& approval_id, const ApprovalDecision& decision, const std::string& decided_by,
                       RunObserver* observer = nullptr, const RunOptions& options = {});

 private:
  llm::LlmClient& client_for(const llm::ProviderSettings& settings);
  // What an agent run gets; approvals only when it may pause.
  AgentDependencies dependencies(llm::LlmClient& client, bool may_pause, const RunOptions& options) const;
  // Throws Error(kSessionBusy) while a paused run of the session waits for approvals.
  void refuse_while_paused(const std::string& agent, const std::string& session_id) const;

  const ConfigLookup& configs_;
  mcp::McpHost& tools_;
  storage::HistoryStore* history_;
  LlmClientFactory make_client_;
  std::mutex clients_mutex_;
  std::map<std::string, std::unique_ptr<llm::LlmClient>> clients_;
  std::unique_ptr<LoadedPlugins> plugins_;
  std::unique_ptr<SessionGate> sessions_;
  storage::ApprovalStore* approvals_;
};

}  // namespace aurite::execution
