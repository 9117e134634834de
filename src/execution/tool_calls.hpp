// Running the tool calls of one model reply through the MCP host.
#pragma once

#include <vector>

#include "aurite/config/models.hpp"
#include "aurite/execution/run_result.hpp"
#include "aurite/execution/tool_approval.hpp"
#include "aurite/mcp/mcp_host.hpp"

namespace aurite::execution::detail {

struct ToolCallOutcome {
  ToolCallRecord record;
  nlohmann::json result_block;  // the tool_result content block for the model
};

// The tool calls of one model reply on their way: each has its outcome (it ran, or was
// denied), or waits for a decision, or is still to run.
struct TurnCalls {
  std::vector<ToolCallRequest> requests;  // in the reply's order, with approved arguments
  std::vector<std::optional<ToolCallOutcome>> outcomes;
  std::vector<std::optional<ApprovalRequest>> waiting;  // gated, nobody decided yet
  std::vector<bool> decided_here;  // the outcome was made by this process (not loaded)

  explicit TurnCalls(std::size_t count) : outcomes(count), waiting(count), decided_here(count, false) {}
  bool any_waiting() const;
};

// Decides every gated call of `tool_uses` before any call runs, asking `observer`: a
// denied call gets its outcome, an approved one its arguments. A call nobody decides
// waits when `may_wait`; otherwise Error(kApprovalRequired) names it and ends with
// `why_no_wait`, and nothing of the turn has run.
TurnCalls decide_tool_calls(mcp::McpHost& host, const config::AgentConfig& agent,
                            const std::vector<nlohmann::json>& tool_uses, RunObserver* observer, bool may_wait,
                            const std::string& why_no_wait);

// Runs every call of `calls` that has no outcome and does not wait, several at once when
// there are several. Never throws for a tool's failure: an unknown tool, a crashed server
// or a timeout becomes an error result the model can read. A cancelled `cancel` ends the
// calls in flight (their servers are told) and runs no more; each becomes an error result.
void run_open_calls(mcp::McpHost& host, const config::AgentConfig& agent, TurnCalls& calls, RunObserver* observer,
                    Cancellation* cancel = nullptr);

// The outcome of a call that did not run: an error result the model reads, saying why.
ToolCallOutcome unrun_call(const ToolCallRequest& call, const std::string& why);
// The outcome of a call a person denied, with the reason.
ToolCallOutcome denied_call(const ToolCallRequest& call, const std::string& reason);

// Gives every tool_use in `messages` (a loaded history) that the message right after it
// does not answer an error tool_result there, in memory only. A run stopped while its
// tools ran (killed, or cut off from its database), or another run on the session still
// running them, would otherwise have the model sent a tool_use without its result, which
// providers reject. The store is left as it is: the other run may yet store its results.
void answer_unanswered_tool_calls(std::vector<llm::Message>& messages);

// MCP tool result content -> the content of an Anthropic-style tool_result block.
nlohmann::json tool_result_content(const nlohmann::json& mcp_content, const std::optional<nlohmann::json>& structured);

}  // namespace aurite::execution::detail
