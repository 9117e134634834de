// Running the tool calls of one model reply through the MCP host.
#pragma once

#include <vector>

#include "aurite/config/models.hpp"
#include "aurite/execution/run_result.hpp"
#include "aurite/mcp/mcp_host.hpp"

namespace aurite::execution::detail {

struct ToolCallOutcome {
  ToolCallRecord record;
  nlohmann::json result_block;  // the tool_result content block for the model
};

// Runs every tool_use block of `tool_uses` (several at once when there are several) and
// returns their outcomes in the same order. Never throws for a tool's failure: an unknown
// tool, a crashed server or a timeout becomes an error result the model can read.
std::vector<ToolCallOutcome> run_tool_calls(mcp::McpHost& host, const config::AgentConfig& agent,
                                            const std::vector<nlohmann::json>& tool_uses, RunObserver* observer);

// Gives every tool_use in `messages` (a loaded history) that the message right after it
// does not answer an error tool_result there, in memory only. A run stopped while its
// tools ran (killed, or cut off from its database), or another run on the session still
// running them, would otherwise have the model sent a tool_use without its result, which
// providers reject. The store is left as it is: the other run may yet store its results.
void answer_unanswered_tool_calls(std::vector<llm::Message>& messages);

// MCP tool result content -> the content of an Anthropic-style tool_result block.
nlohmann::json tool_result_content(const nlohmann::json& mcp_content, const std::optional<nlohmann::json>& structured);

}  // namespace aurite::execution::detail
