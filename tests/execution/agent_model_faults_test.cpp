// Agent runs whose model server (a real local HTTP server) answers garbage, cuts its
// stream mid-answer or hangs: the run fails with a clear error, no partial assistant
// turn is stored, what was stored holds together, and the session goes on cleanly with
// the next run. History on, both backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/history_consistency.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::execution {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string sse(const std::string& event, const std::string& data) {
  return "event: " + event + "\ndata: " + data + "\n\n";
}

// Collects the text the run streams as it comes.
class StreamedText : public RunObserver {
 public:
  void on_text_delta(const std::string& text) override { text_ += text; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class AgentModelFaults : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.clients = {testing::test_client("test_server")};
    project_.llms = {testing::scripted_llm("scripted", model_.base_url())};
    auto agent = testing::offline_agent("Talker", {"test_server"});
    agent.llm_config_id = "scripted";
    project_.agents = {agent};
  }

  std::vector<storage::Turn> stored() { return storage_->history()->load_history("Talker", "s", 1000); }

  // Runs the agent and returns the error it fails with.
  Error failing_run(ExecutionFacade& facade, RunObserver* observer = nullptr) {
    try {
      facade.run_agent("Talker", "go", "s", observer);
    } catch (const Error& error) {
      return error;
    }
    ADD_FAILURE() << "the run succeeded";
    return Error(ErrorCode::kInternal, "no error");
  }

  // A first reply that calls echo, so the failure comes after a whole tool exchange.
  void push_echo_call() {
    model_.push_json(
        testing::anthropic_reply({llm::tool_use_block("t1", "echo", {{"text", "hi"}})}, "tool_use"));
  }

  // The stored turns are the user message and the whole exchange: no assistant turn of
  // the failed model call. Then the next run continues the session from them.
  void expect_clean_failure_then_the_session_goes_on(ExecutionFacade& facade) {
    const auto turns = stored();
    ASSERT_EQ(turns.size(), 3u);
    EXPECT_EQ(turns[0].role, "user");
    EXPECT_EQ(turns[1].role, "assistant");
    EXPECT_EQ(turns[2].role, "user");
    EXPECT_THAT(turns[2].content_json, HasSubstr("tool_result"));
    EXPECT_THAT(testing::tool_exchange_problems(turns, /*allow_unanswered=*/false), ::testing::IsEmpty());

    model_.push_json(testing::anthropic_reply({llm::text_block("back to normal")}));
    const auto next = facade.run_agent("Talker", "again", "s");
    EXPECT_EQ(next.status, RunStatus::kCompleted);
    EXPECT_EQ(next.final_text, "back to normal");
    EXPECT_EQ(next.history_turns_loaded, 3u);
    const auto after = stored();
    ASSERT_EQ(after.size(), 5u);
    for (std::size_t k = 0; k < after.size(); ++k) EXPECT_EQ(after[k].seq, static_cast<std::int64_t>(k + 1));
    EXPECT_THAT(testing::tool_exchange_problems(after, false), ::testing::IsEmpty());
    EXPECT_THAT(testing::history_table_problems(url_), ::testing::IsEmpty());
  }

  testing::ScriptedHttpServer model_;
  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
};

TEST_P(AgentModelFaults, GarbageAnswerFailsTheRunAsAProtocolErrorAndStoresNoAssistantTurn) {
  push_echo_call();
  model_.push_json("<html>502 Bad Gateway</html> {\"content\": [");
  testing::ProjectRun run(project_, storage_->history());
  const Error error = failing_run(*run.facade);
  EXPECT_EQ(error.code(), ErrorCode::kProtocol) << error.what();
  EXPECT_THAT(error.what(), HasSubstr("not JSON"));
  expect_clean_failure_then_the_session_goes_on(*run.facade);
}

TEST_P(AgentModelFaults, StreamCutMidAnswerFailsTheRunAndStoresNoPartialAssistantTurn) {
  testing::ScriptedReply echo_call;  // the run streams, so the first reply is a stream too
  echo_call.chunks = {
      sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":9}}})"),
      sse("content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"echo","input":{}}})"),
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"text\": \"hi\"}"}})"),
      sse("content_block_stop", R"({"type":"content_block_stop","index":0})"),
      sse("message_delta",
          R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}})"),
      sse("message_stop", R"({"type":"message_stop"})")};
  model_.push(echo_call);
  testing::ScriptedReply cut;
  cut.chunks = {
      sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":9}}})"),
      sse("content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half an ans"}})")};
  cut.drop_after_chunks = true;
  model_.push(cut);
  testing::ProjectRun run(project_, storage_->history());
  StreamedText streamed;
  const Error error = failing_run(*run.facade, &streamed);
  EXPECT_TRUE(error.code() == ErrorCode::kProtocol || error.code() == ErrorCode::kUnavailable)
      << error.what();
  EXPECT_THAT(streamed.text(), HasSubstr("Half an ans"));  // shown as it came, never stored
  expect_clean_failure_then_the_session_goes_on(*run.facade);
}

TEST_P(AgentModelFaults, HangingModelTimesOutAndStoresNoAssistantTurn) {
  push_echo_call();
  testing::ScriptedReply hang;
  hang.hang = true;
  model_.push(hang);
  testing::ProjectRun run(project_, storage_->history());
  // The real client with a short request timeout, so the hang ends within the test.
  ExecutionFacade facade(*run.host, *run.mcp, storage_->history(), [](const llm::ProviderSettings& settings) {
    auto quick = settings;
    quick.request_timeout = std::chrono::milliseconds(1500);
    return llm::make_llm_client(quick);
  });
  const Error error = failing_run(facade);
  EXPECT_EQ(error.code(), ErrorCode::kTimeout) << error.what();
  EXPECT_THAT(error.what(), HasSubstr("127.0.0.1:" + std::to_string(model_.port())));
  expect_clean_failure_then_the_session_goes_on(facade);
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(AgentModelFaults);

}  // namespace
}  // namespace aurite::execution
