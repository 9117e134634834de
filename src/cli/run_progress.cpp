#include "cli/run_progress.hpp"

#include <ostream>

#include <fmt/format.h>

namespace aurite::cli {

std::string one_line(const std::string& text, std::size_t limit) {
  std::string out;
  for (char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}

void RunProgress::on_step(const std::string& workflow, std::size_t index, const std::string& agent) {
  std::lock_guard lock(mutex_);
  in_workflow_ = true;
  out_ << fmt::format("== {} step {}: {}\n", workflow, index + 1, agent);
}

void RunProgress::on_node(const std::string& workflow, const execution::GraphNodeResult& node) {
  std::lock_guard lock(mutex_);
  in_workflow_ = true;
  if (node.state == execution::GraphNodeResult::State::kRunning) {
    out_ << fmt::format("== {} node {} ({}) starts at {:.1f} ms\n", workflow, node.node_id, node.agent_name,
                        node.started_ms);
  } else {
    out_ << fmt::format("== {} node {} ({}): {} at {:.1f} ms\n", workflow, node.node_id, node.agent_name,
                        node.status(), node.finished_ms);
  }
  out_ << std::flush;
}

void RunProgress::on_history_loaded(const std::string& agent, std::size_t turns) {
  std::lock_guard lock(mutex_);
  out_ << fmt::format("[{}] history: {} earlier turn{} loaded\n", agent, turns, turns == 1 ? "" : "s");
}

void RunProgress::on_model_call(const std::string& agent, int iteration) {
  std::lock_guard lock(mutex_);
  out_ << fmt::format("[{}] model call {}\n", agent, iteration) << std::flush;
}

void RunProgress::on_text_delta(const std::string& text) {
  if (stream_to_ == nullptr) return;
  std::lock_guard lock(mutex_);
  *stream_to_ << text << std::flush;
  streamed_ = true;
}

void RunProgress::on_model_reply(const std::string& agent, const llm::ModelResponse& reply, double ms) {
  std::lock_guard lock(mutex_);
  const auto uses = llm::tool_uses_of(reply.message);
  const std::string what = uses.empty() ? "answer" : fmt::format("{} tool call{}", uses.size(), uses.size() == 1 ? "" : "s");
  const llm::Usage& usage = reply.usage;
  const std::string cache = usage.cache_read_tokens > 0 || usage.cache_write_tokens > 0
                                ? fmt::format(", cache {} read / {} written", usage.cache_read_tokens,
                                              usage.cache_write_tokens)
                                : "";
  out_ << fmt::format("[{}]   -> {} ({:.1f} ms, {} in / {} out tokens{})\n", agent, what, ms, usage.input_tokens,
                      usage.output_tokens, cache);
}

void RunProgress::on_tool_call(const std::string& agent, const execution::ToolCallRequest& call) {
  std::lock_guard lock(mutex_);
  out_ << fmt::format("[{}] tool {} {}\n", agent, call.name, one_line(call.input.dump(), 200)) << std::flush;
}

void RunProgress::on_tool_progress(const std::string& agent, const execution::ToolProgress& progress) {
  std::lock_guard lock(mutex_);
  const std::string amount = progress.total ? fmt::format("{:g}/{:g}", progress.progress, *progress.total)
                                            : fmt::format("{:g}", progress.progress);
  out_ << fmt::format("[{}]   .. {}: {}{}{}\n", agent, progress.name, amount, progress.message.empty() ? "" : " ",
                      one_line(progress.message))
       << std::flush;
}

// Tool calls may run side by side: each result line names its tool.
void RunProgress::on_tool_result(const std::string& agent, const execution::ToolCallRecord& record) {
  std::lock_guard lock(mutex_);
  out_ << fmt::format("[{}]   <- {}: {}{} ({:.1f} ms)\n", agent, record.name, record.is_error ? "error: " : "",
                      one_line(record.result_text), record.duration_ms);
}

std::optional<execution::ApprovalDecision> RunProgress::decide_approval(const execution::ApprovalRequest& request) {
  if (approvals_ == nullptr) return std::nullopt;
  std::lock_guard lock(mutex_);  // the question is not interleaved with progress lines
  return approvals_->ask(request);
}

std::optional<nlohmann::json> RunProgress::answer_elicitation(const std::string& /*agent*/,
                                                              const mcp::ElicitationRequest& request) {
  if (approvals_ == nullptr) return std::nullopt;
  std::lock_guard lock(mutex_);
  return approvals_->elicit(request);
}

void RunProgress::on_agent_done(const execution::AgentResult& result) {
  std::lock_guard lock(mutex_);
  if (streamed_ && stream_to_ != nullptr) *stream_to_ << '\n';
  if (in_workflow_ && stream_to_ == nullptr) out_ << fmt::format("[{}] answer: {}\n", result.agent_name, one_line(result.final_text));
  const auto cost = result.cost_usd();
  out_ << fmt::format("[{}] {} in {:.1f} ms: {} model call{}, {} tool call{}, {} in / {} out tokens{} (session '{}')\n",
                      result.agent_name, to_string(result.status), result.total_ms, result.iterations,
                      result.iterations == 1 ? "" : "s", result.tool_calls.size(),
                      result.tool_calls.size() == 1 ? "" : "s", result.usage.input_tokens, result.usage.output_tokens,
                      cost ? fmt::format(", ${:.4f}", *cost) : "", result.session_id);
}

}  // namespace aurite::cli
