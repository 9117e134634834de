#include "host/run_journal.hpp"

namespace aurite::host::detail {

void RunJournal::emit(const std::string& event, const Json& data) {
  std::lock_guard lock(mutex_);
  emit_locked(event, data);
}

void RunJournal::flush() {
  std::lock_guard lock(mutex_);
  flush_locked();
}

Json RunJournal::stored_turns() const {
  std::lock_guard lock(mutex_);
  return turns_;
}

void RunJournal::emit_locked(const std::string& event, const Json& data) {
  flush_locked();
  emit_(event, data);
}

void RunJournal::flush_locked() {
  if (text_.empty()) return;
  const std::string text = std::move(text_);
  text_.clear();
  emit_("text", {{"text", text}});
}

void RunJournal::on_history_loaded(const std::string& agent, std::size_t turns) {
  if (behind_) behind_->on_history_loaded(agent, turns);
}

void RunJournal::on_turn_stored(const std::string& agent, const std::string& session, std::int64_t seq) {
  {
    std::lock_guard lock(mutex_);
    turns_.push_back({{"agent", agent}, {"session_id", session}, {"seq", seq}});
  }
  if (behind_) behind_->on_turn_stored(agent, session, seq);
}

void RunJournal::on_model_call(const std::string& agent, int iteration) {
  emit("model_call", {{"agent", agent}, {"iteration", iteration}});
  if (behind_) behind_->on_model_call(agent, iteration);
}

void RunJournal::on_text_delta(const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (text_.empty()) text_since_ = now;
    text_ += text;
    if (now - text_since_ >= kTextInterval) flush_locked();
  }
  if (behind_) behind_->on_text_delta(text);
}

void RunJournal::on_model_reply(const std::string& agent, const llm::ModelResponse& reply, double ms) {
  flush();
  if (behind_) behind_->on_model_reply(agent, reply, ms);
}

void RunJournal::on_tool_call(const std::string& agent, const execution::ToolCallRequest& call) {
  emit("tool_call", {{"agent", agent}, {"id", call.id}, {"tool", call.name}, {"input", call.input}});
  if (behind_) behind_->on_tool_call(agent, call);
}

void RunJournal::on_tool_progress(const std::string& agent, const execution::ToolProgress& progress) {
  Json data = {{"agent", agent}, {"id", progress.id}, {"tool", progress.name}, {"progress", progress.progress}};
  if (progress.total) data["total"] = *progress.total;
  if (!progress.message.empty()) data["message"] = progress.message;
  emit("tool_progress", data);
  if (behind_) behind_->on_tool_progress(agent, progress);
}

void RunJournal::on_tool_result(const std::string& agent, const execution::ToolCallRecord& record) {
  emit("tool_result", {{"agent", agent},
                       {"id", record.id},
                       {"tool", record.name},
                       {"result", record.result_text},
                       {"is_error", record.is_error},
                       {"duration_ms", record.duration_ms}});
  if (behind_) behind_->on_tool_result(agent, record);
}

std::optional<execution::ApprovalDecision> RunJournal::decide_approval(const execution::ApprovalRequest& request) {
  return behind_ ? behind_->decide_approval(request) : std::nullopt;
}

std::optional<Json> RunJournal::answer_elicitation(const std::string& agent, const mcp::ElicitationRequest& request) {
  return behind_ ? behind_->answer_elicitation(agent, request) : std::nullopt;
}

void RunJournal::on_approval_required(const std::string& agent, const execution::PendingApproval& approval) {
  Json data = execution::to_json(approval);
  data["agent"] = agent;
  emit("approval_required", data);
  if (behind_) behind_->on_approval_required(agent, approval);
}

void RunJournal::on_agent_done(const execution::AgentResult& result) {
  flush();
  if (behind_) behind_->on_agent_done(result);
}

void RunJournal::on_step(const std::string& workflow, std::size_t index, const std::string& agent) {
  emit("step", {{"workflow", workflow}, {"index", index}, {"agent", agent}});
  if (behind_) behind_->on_step(workflow, index, agent);
}

void RunJournal::on_node(const std::string& workflow, const execution::GraphNodeResult& node) {
  Json data = {{"workflow", workflow}, {"node_id", node.node_id}, {"agent", node.agent_name}, {"status", node.status()},
               {"started_ms", node.started_ms}};
  if (node.state == execution::GraphNodeResult::State::kDone) {
    data["finished_ms"] = node.finished_ms;
    data["final_text"] = node.agent ? node.agent->final_text : "";
  }
  emit("node", data);
  if (behind_) behind_->on_node(workflow, node);
}

}  // namespace aurite::host::detail
