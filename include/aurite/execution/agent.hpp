// execution/agent — the tool-use loop of one agent (the seed's Agent.execute_agent).
//
// A run: load the session's history (when the agent includes history and a history store is given),
// add the user message, then call the model with the agent's tools; run the tool calls of a reply through
// the MCP host, several at once; append their results and call the model again, until it answers without
// tools or max_iterations model calls were made. Every new turn is appended to the history store as soon as
// it exists, so a crash loses at most the turn in flight; a reply's tool calls run and their results are
// stored before the loop stops. Loaded tool calls no stored result answers (a run killed or cut off while its
// tools ran, or one still running) are sent to the model with error results; nothing is stored for them.
// With a schema the final answer is parsed and validated, and the model is asked to
// correct it a bounded number of times.
//
// Gated tool calls (tool_approval.hpp) nobody decides pause the run when an approval
// store is given: the ungated calls of the turn run, then the paused run and one approval
// per gated call are written at once, and the run ends with kAwaitingApproval. resume()
// goes on from there in any process once every approval is decided.
#pragma once

#include <string>

#include "aurite/config/models.hpp"
#include "aurite/execution/run_result.hpp"
#include "aurite/llm/llm_client.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/storage/approval_store.hpp"
#include "aurite/storage/history_store.hpp"

namespace aurite::execution {

inline constexpr int kMaxSchemaCorrections = 2;

struct ModelChoice {
  llm::ProviderSettings provider;
  std::string model;
  std::string llm_id;                     // the llm it comes from; "" for an inline model
  std::optional<config::Pricing> pricing;  // the llm's
  std::optional<double> temperature;
  int64_t max_tokens = config::kDefaultMaxTokens;
  std::optional<std::string> default_system_prompt;
};

// The model an agent uses: `llm` (the LlmConfig its llm_config_id names, looked up by the
// caller), else its inline provider/model (provider defaulting to anthropic when only a
// model is given). Agent values override the LlmConfig's defaults. Throws
// Error(kInvalidConfig) naming the agent when it has no model, or names an llm that
// was not found.
ModelChoice choose_model(const config::AgentConfig& agent, const std::optional<config::LlmConfig>& llm);

struct AgentDependencies {
  llm::LlmClient& model;
  mcp::McpHost& tools;
  storage::HistoryStore* history = nullptr;  // null: nothing is loaded or stored
  // Where gated calls nobody decides wait for a decision. Null: such a call stops the run
  // with Error(kApprovalRequired), whose message ends with `why_no_wait`.
  storage::ApprovalStore* approvals = nullptr;
  std::string why_no_wait;
  // Set: cancelling it stops the run (see Agent::run).
  Cancellation* cancel = nullptr;
  // The id a paused run is recorded under: the run's own when it has one, else a new one.
  std::string run_id;
};

class Agent {
 public:
  Agent(config::AgentConfig config, ModelChoice model, AgentDependencies dependencies);

  // Runs one user message on `session_id` ("" means storage::kDefaultSession).
  // Throws what the model client or the history store throws (the turns appended before
  // stay); tool failures go to the model as error results instead. A cancel abandons the
  // model request or the tool calls in flight and throws Error(kCancelled); calls that
  // were cut off are answered in the stored history as cancelled, so every stored
  // tool_use keeps its result.
  AgentResult run(const std::string& message, const std::string& session_id, RunObserver* observer = nullptr);

  // Goes on with a run that paused (claimed by the caller): the approved calls run (with
  // the decided arguments), the denied ones answer the model with the reason, and the loop
  // continues to its answer or the next pause. `decisions` are the run's approvals, none
  // pending. Throws as run() does, and Error(kInternal) for a state it cannot read.
  AgentResult resume(const storage::PausedRun& paused, const std::vector<storage::ApprovalRecord>& decisions,
                     RunObserver* observer = nullptr);

 private:
  const config::AgentConfig config_;
  const ModelChoice model_;
  AgentDependencies deps_;
};

}  // namespace aurite::execution
