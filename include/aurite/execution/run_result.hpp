// execution/run_result — what a run of an agent or a workflow produced, and the
// observer that sees each step as it happens (the CLI prints them, the API streams them).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "aurite/llm/llm_client.hpp"
#include "aurite/execution/tool_approval.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/storage/usage.hpp"

namespace aurite::execution {

using Json = nlohmann::json;

enum class RunStatus {
  kCompleted,       // a final answer (valid against the schema when one is set)
  kMaxIterations,   // the model still wanted tools after max_iterations model calls
  kSchemaMismatch,  // the answer still did not match the schema after the corrections
  // Gated tool calls wait for decisions kept in the database (AgentResult::pending_approvals);
  // the run goes on once each is decided (ExecutionFacade::decide_approval).
  kAwaitingApproval,
};
std::string_view to_string(RunStatus status);

// A tool call as it starts: `id` is the model's tool_use id, which the call's progress
// and its ToolCallRecord carry too, so a client can pair them.
struct ToolCallRequest {
  std::string id;
  std::string name;
  Json input;
};

// A progress report from the MCP server running a tool call (notifications/progress).
struct ToolProgress {
  std::string id;    // the tool_use id
  std::string name;  // the tool
  double progress = 0;
  std::optional<double> total;  // unset when the server does not know it
  std::string message;          // empty when the server sent none
};

struct ToolCallRecord {
  std::string id;
  std::string name;
  Json input;
  std::string result_text;  // what a person reads; the model gets the full blocks
  bool is_error = false;
  double duration_ms = 0;
  std::string client_id;  // the MCP client that offers the tool; "" when none does
};

// One model call of a run: what it used, and what it cost when its llm has pricing.
struct ModelCallRecord {
  storage::ModelCallUsage usage;
  std::optional<double> cost_usd;

  Json to_json() const;
};

// A gated call that waits in the database for a person's decision.
struct PendingApproval {
  std::string id;  // the approval's id, what a decision names
  std::string call_id;
  std::string tool;
  std::string client_id;
  Json arguments;
  std::string why;
};

Json to_json(const PendingApproval& pending);

struct AgentResult {
  std::string agent_name;
  std::string session_id;
  RunStatus status = RunStatus::kCompleted;
  std::string final_text;
  std::optional<Json> final_json;           // the parsed answer when the agent has a schema
  std::size_t history_turns_loaded = 0;     // turns read from the database before the run
  std::vector<llm::Message> new_turns;      // user, assistant and tool-result turns of this run
  std::vector<ToolCallRecord> tool_calls;
  // Optional clients whose server could not start: the run went on without their tools.
  std::vector<mcp::ClientFailure> unavailable_clients;
  int iterations = 0;                       // model calls
  llm::Usage usage;                         // summed over model_calls
  std::vector<ModelCallRecord> model_calls;
  double model_ms = 0;
  double tool_ms = 0;
  double total_ms = 0;
  // Status kAwaitingApproval: the paused run, and the calls waiting in it.
  std::string paused_run_id;
  std::vector<PendingApproval> pending_approvals;

  // The sum of the model calls' cost; unset when a call has no pricing (or none was made).
  std::optional<double> cost_usd() const;
  // {input_tokens, output_tokens, cache_*_tokens, cost_usd?, calls: [ModelCallRecord...]}
  Json usage_json() const;
  Json to_json() const;
};

// A simple workflow's run. A step that is itself a workflow adds its agents' runs to
// `steps`; a custom workflow step adds none (its output is the next step's input).
struct WorkflowResult {
  std::string workflow_name;
  std::string session_id;
  RunStatus status = RunStatus::kCompleted;
  std::string final_text;
  std::vector<AgentResult> steps;
  double total_ms = 0;

  Json to_json() const;
};

// One node of a graph workflow's run. Times are milliseconds since the workflow started.
struct GraphNodeResult {
  enum class State { kNotRun, kRunning, kDone };
  std::string node_id;
  std::string agent_name;
  State state = State::kNotRun;
  std::optional<AgentResult> agent;  // once done
  double started_ms = 0;
  double finished_ms = 0;

  // "not_run", "running", or the agent's RunStatus once done.
  std::string status() const;
  Json to_json() const;
};

struct GraphWorkflowResult {
  std::string workflow_name;
  std::string session_id;
  RunStatus status = RunStatus::kCompleted;
  // The node that did not complete (status says how), "" when every node did.
  std::string stopped_at;
  // The outputs of the nodes nothing follows, keyed by node id, and as text: the output
  // itself when there is one such node, else that object as JSON.
  Json final_output = Json::object();
  std::string final_text;
  std::vector<GraphNodeResult> nodes;  // in the order the workflow lists them
  double total_ms = 0;

  Json to_json() const;
};

// Called on the thread that runs the agent (tool callbacks may come from the threads
// running tools concurrently, one call at a time; the nodes of a graph workflow run on
// threads of their own, at the same time). Every method has an empty default.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_history_loaded(const std::string& /*agent*/, std::size_t /*turns*/) {}
  // A turn of the run is stored (committed) as `seq` of the agent's session.
  virtual void on_turn_stored(const std::string& /*agent*/, const std::string& /*session*/, std::int64_t /*seq*/) {}
  virtual void on_model_call(const std::string& /*agent*/, int /*iteration*/) {}
  virtual void on_text_delta(const std::string& /*text*/) {}
  // False: nobody follows the answer as it is written, so the model is not asked to stream it.
  virtual bool wants_text_deltas() const { return true; }
  virtual void on_model_reply(const std::string& /*agent*/, const llm::ModelResponse& /*reply*/, double /*ms*/) {}
  virtual void on_tool_call(const std::string& /*agent*/, const ToolCallRequest& /*call*/) {}
  // Between on_tool_call and on_tool_result of the same call, as often as the server reports.
  virtual void on_tool_progress(const std::string& /*agent*/, const ToolProgress& /*progress*/) {}
  virtual void on_tool_result(const std::string& /*agent*/, const ToolCallRecord& /*record*/) {}
  // A call that require_approval gates, before it runs (execution/tool_approval.hpp):
  // the decision of a person, or nullopt when this observer cannot ask one (the run then
  // stops with Error(kApprovalRequired)). Asked one call at a time, on the run's thread.
  virtual std::optional<ApprovalDecision> decide_approval(const ApprovalRequest& /*request*/) { return std::nullopt; }
  // A server asks for input during a tool call (mcp/elicitation.hpp): the person's
  // answer (the elicitation/create result), or nullopt when nobody can be asked (the
  // server gets a decline). Called on a thread of the MCP session while the call waits,
  // possibly alongside other callbacks; at most request.timeout.
  virtual std::optional<Json> answer_elicitation(const std::string& /*agent*/,
                                                 const mcp::ElicitationRequest& /*request*/) {
    return std::nullopt;
  }
  // A gated call nobody decided, recorded to wait for a decision, once the run paused.
  virtual void on_approval_required(const std::string& /*agent*/, const PendingApproval& /*approval*/) {}
  virtual void on_agent_done(const AgentResult& /*result*/) {}
  virtual void on_step(const std::string& /*workflow*/, std::size_t /*index*/, const std::string& /*agent*/) {}
  // A graph workflow's node as it starts (state kRunning) and as it ends (kDone).
  virtual void on_node(const std::string& /*workflow*/, const GraphNodeResult& /*node*/) {}
};

}  // namespace aurite::execution
