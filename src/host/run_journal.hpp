// What a run reports, as named events with JSON data: the one vocabulary of the API's
// event streams, the stored events of a run (GET /runs/{id}/events) and `aurite runs
// events`. Every callback also goes on to the observer behind it, which alone answers
// approvals and elicitations.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aurite/host/runs.hpp"

namespace aurite::host::detail {

using Json = nlohmann::json;

// Thread-safe: tool callbacks come from several threads; events are emitted one at a
// time. Text deltas are joined into one `text` event per kTextInterval (and before any
// other event), so a streamed answer does not become one stored row per token.
class RunJournal : public execution::RunObserver {
 public:
  static constexpr std::chrono::milliseconds kTextInterval{50};

  // `text`: somebody follows the run as it goes, so the answer is streamed as it is written.
  RunJournal(EmitEvent emit, execution::RunObserver* behind, bool text)
      : emit_(std::move(emit)), behind_(behind), text_wanted_(text) {}

  // Emits `event` (after any text held back).
  void emit(const std::string& event, const Json& data);
  // Emits the text held back, if any.
  void flush();
  // The turns the run stored: [{"agent", "session_id", "seq"}, ...].
  Json stored_turns() const;

  void on_history_loaded(const std::string& agent, std::size_t turns) override;
  void on_turn_stored(const std::string& agent, const std::string& session, std::int64_t seq) override;
  void on_model_call(const std::string& agent, int iteration) override;
  void on_text_delta(const std::string& text) override;
  bool wants_text_deltas() const override { return text_wanted_ || (behind_ && behind_->wants_text_deltas()); }
  void on_model_reply(const std::string& agent, const llm::ModelResponse& reply, double ms) override;
  void on_tool_call(const std::string& agent, const execution::ToolCallRequest& call) override;
  void on_tool_progress(const std::string& agent, const execution::ToolProgress& progress) override;
  void on_tool_result(const std::string& agent, const execution::ToolCallRecord& record) override;
  std::optional<execution::ApprovalDecision> decide_approval(const execution::ApprovalRequest& request) override;
  std::optional<Json> answer_elicitation(const std::string& agent, const mcp::ElicitationRequest& request) override;
  void on_approval_required(const std::string& agent, const execution::PendingApproval& approval) override;
  void on_agent_done(const execution::AgentResult& result) override;
  void on_step(const std::string& workflow, std::size_t index, const std::string& agent) override;
  void on_node(const std::string& workflow, const execution::GraphNodeResult& node) override;

 private:
  void emit_locked(const std::string& event, const Json& data);
  void flush_locked();

  EmitEvent emit_;
  execution::RunObserver* behind_;
  const bool text_wanted_;
  mutable std::mutex mutex_;
  std::string text_;  // held back, guarded by mutex_
  std::chrono::steady_clock::time_point text_since_;
  Json turns_ = Json::array();
};

}  // namespace aurite::host::detail
