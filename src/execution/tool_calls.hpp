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

// The turn that answers `tool_uses` a stored history left without results (the run that
// made them stopped before their results were stored): one error tool_result for each.
llm::Message unanswered_tool_results(const std::vector<nlohmann::json>& tool_uses);

// MCP tool result content -> the content of an Anthropic-style tool_result block.
nlohmann::json tool_result_content(const nlohmann::json& mcp_content, const std::optional<nlohmann::json>& structured);

}  // namespace aurite::execution::detail
