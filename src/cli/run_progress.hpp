// Shows a run as it happens: each model call, tool call with its arguments, a summary of
// each tool result, and the outcome, with timings. Written to stderr so that stdout
// carries only the answer (or the JSON result).
#pragma once

#include <chrono>
#include <iosfwd>
#include <mutex>

#include "aurite/execution/run_result.hpp"
#include "cli/terminal_approvals.hpp"

namespace aurite::cli {

class RunProgress : public execution::RunObserver {
 public:
  // `stream_to` receives streamed answer text as it arrives (null: not streaming).
  RunProgress(std::ostream& out, std::ostream* stream_to) : out_(out), stream_to_(stream_to) {}

  void on_history_loaded(const std::string& agent, std::size_t turns) override;
  void on_model_call(const std::string& agent, int iteration) override;
  void on_text_delta(const std::string& text) override;
  void on_model_reply(const std::string& agent, const llm::ModelResponse& reply, double ms) override;
  void on_tool_call(const std::string& agent, const execution::ToolCallRequest& call) override;
  void on_tool_progress(const std::string& agent, const execution::ToolProgress& progress) override;
  void on_tool_result(const std::string& agent, const execution::ToolCallRecord& record) override;
  void on_agent_done(const execution::AgentResult& result) override;
  void on_step(const std::string& workflow, std::size_t index, const std::string& agent) override;
  void on_node(const std::string& workflow, const execution::GraphNodeResult& node) override;

  // Gated tool calls are asked at the terminal through `approvals` (null: they cannot be).
  void ask_approvals_with(TerminalApprovals* approvals) { approvals_ = approvals; }
  std::optional<execution::ApprovalDecision> decide_approval(const execution::ApprovalRequest& request) override;
  std::optional<nlohmann::json> answer_elicitation(const std::string& agent,
                                                   const mcp::ElicitationRequest& request) override;

  bool streamed_text() const { return streamed_; }

 private:
  std::ostream& out_;
  std::ostream* stream_to_;
  bool streamed_ = false;
  TerminalApprovals* approvals_ = nullptr;
  bool in_workflow_ = false;  // steps' answers are shown as they come, streamed or not
  std::mutex mutex_;
};

// At most `limit` characters of `text` on one line, for summaries.
std::string one_line(const std::string& text, std::size_t limit = 100);

}  // namespace aurite::cli
