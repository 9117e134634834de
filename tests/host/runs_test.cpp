// Runs as resources, on both backends: every run is recorded with its numbered events
// and the turns it stored; a cancel stops a run in its model request or in its tool call
// (the MCP server is told, every stored tool_use keeps a result, and the next run loads
// cleanly); a cancel asked in another process reaches the run with its heartbeat; a run
// whose process stopped beating is interrupted; and what cannot be cancelled says why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "aurite/common/wall_clock.hpp"
#include "aurite/host/runs.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/history_consistency.hpp"
#include "support/scripted_http_server.hpp"
#include "support/wait_until.hpp"

namespace aurite::testing {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Json = nlohmann::json;
using namespace std::chrono_literals;

// A model request that is never answered (until the run gives up on it).
ScriptedReply hanging() {
  ScriptedReply reply;
  reply.hang = true;
  return reply;
}

class RunsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.llms = {scripted_llm("scripted", model_.base_url())};
    project_.clients = {test_client("test_server")};
    auto agent = offline_agent("Toolish", {"test_server"});
    agent.llm_config_id = "scripted";
    project_.agents = {agent};
    run_ = std::make_unique<ProjectRun>(project_, storage_->history(), storage_->approvals());
    runs_ = make_runs(*storage_);
  }

  std::unique_ptr<host::Runs> make_runs(storage::StorageManager& storage) {
    return std::make_unique<host::Runs>(*run_->facade, *run_->host, *storage.runs(), storage.approvals(),
                                        host::RunsOptions{50ms});
  }

  host::RunSpec spec(const std::string& message) {
    host::RunSpec spec{"Toolish", message, "s", {}, host::Runs::new_run_id()};
    return spec;
  }

  std::vector<storage::Turn> stored() { return storage_->history()->load_history("Toolish", "s", 1000); }

  std::vector<std::string> event_names(const std::string& id) {
    std::vector<std::string> names;
    for (const auto& event : storage_->runs()->events_after(id, 0, 1000)) names.push_back(event.event);
    return names;
  }

  ScriptedHttpServer model_;
  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
  std::unique_ptr<ProjectRun> run_;
  std::unique_ptr<host::Runs> runs_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(RunsTest);

TEST_P(RunsTest, ARunIsRecordedWithItsNumberedEventsAndTheTurnsItStored) {
  model_.push_json(anthropic_reply({llm::tool_use_block("t1", "echo", {{"text", "hi"}})}, "tool_use"));
  model_.push_json(anthropic_reply({llm::text_block("echoed")}));
  const host::RunSpec asked = spec("echo hi");
  const Json out = runs_->run(asked);
  EXPECT_EQ(out["run_id"], asked.id);
  EXPECT_EQ(out["final_text"], "echoed");

  const auto record = runs_->find(asked.id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, "completed");
  EXPECT_EQ(record->kind, "agent");
  EXPECT_EQ(record->final_text, "echoed");
  EXPECT_FALSE(record->started_at.empty());
  EXPECT_FALSE(record->finished_at.empty());
  const Json turns = Json::parse(record->turns_json);
  ASSERT_EQ(turns.size(), 4u);
  for (std::size_t i = 0; i < turns.size(); ++i) EXPECT_EQ(turns[i]["seq"], static_cast<int>(i) + 1);
  EXPECT_EQ(Json::parse(record->result_json)["final_text"], "echoed");

  const auto events = storage_->runs()->events_after(asked.id, 0, 1000);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, static_cast<std::int64_t>(i) + 1);
  EXPECT_EQ(Json::parse(events.back().data_json), out);
  EXPECT_THAT(event_names(asked.id),
              ElementsAre("run", "model_call", "tool_call", "tool_result", "model_call", "done"));
}

TEST_P(RunsTest, ACancelDuringTheModelRequestEndsTheRunCancelledAtOnce) {
  model_.push(hanging());
  const host::RunSpec asked = spec("wait for it");
  auto running = std::async(std::launch::async, [&] { return runs_->run(asked); });
  ASSERT_TRUE(wait_until([&] { return model_.requests().size() == 1; }, 20s)) << "the model was never asked";
  const auto asked_at = std::chrono::steady_clock::now();
  const auto answer = runs_->cancel(asked.id, "a test");
  EXPECT_EQ(answer.run.id, asked.id);
  EXPECT_FALSE(answer.asked);  // this process runs it: cancelled here, nobody else asked
  ASSERT_EQ(running.wait_for(10s), std::future_status::ready) << "the cancel did not end the model request";
  EXPECT_LT(std::chrono::steady_clock::now() - asked_at, 5s);
  EXPECT_EQ(code_of([&] { running.get(); }), ErrorCode::kCancelled);

  const auto record = runs_->find(asked.id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, "cancelled");
  EXPECT_EQ(Json::parse(record->error_json)["error"]["code"], "cancelled");
  EXPECT_EQ(event_names(asked.id).back(), "error");
  ASSERT_EQ(stored().size(), 1u);  // the user's message: nothing else happened
  EXPECT_EQ(stored()[0].role, "user");
}

TEST_P(RunsTest, ACancelDuringAToolCallTellsTheServerAndEveryStoredCallKeepsItsResult) {
  model_.push_json(anthropic_reply({llm::tool_use_block("t1", "sleep", {{"ms", 60'000}})}, "tool_use"));
  const host::RunSpec asked = spec("sleep");
  // Sees the call start; asks for no streamed text, which the scripted replies do not have.
  struct CallWatcher : execution::RunObserver {
    std::atomic<bool> calling{false};
    bool wants_text_deltas() const override { return false; }
    void on_tool_call(const std::string&, const execution::ToolCallRequest&) override { calling = true; }
  } watcher;
  std::atomic<bool>& calling = watcher.calling;
  auto running = std::async(std::launch::async, [&] { return runs_->run(asked, &watcher); });
  ASSERT_TRUE(wait_until([&] { return calling.load(); }, 20s)) << "the tool was never called";
  runs_->cancel(asked.id, "a test");
  ASSERT_EQ(running.wait_for(10s), std::future_status::ready) << "the cancel did not end the tool call";
  EXPECT_EQ(code_of([&] { running.get(); }), ErrorCode::kCancelled);

  const Json seen = run_->mcp->call_tool("cancelled", Json::object()).structured_content.value_or(Json());
  EXPECT_EQ(seen["ids"].size(), 1u) << "the server was not sent notifications/cancelled: " << seen;
  EXPECT_EQ(seen["sleeps_finished"], 0);

  const auto turns = stored();
  ASSERT_EQ(turns.size(), 3u);  // the message, the tool_use, its result saying it was cut off
  EXPECT_THAT(tool_exchange_problems(turns, /*allow_unanswered=*/false), IsEmpty());
  EXPECT_THAT(turns[2].content_json, HasSubstr("cancelled"));
  EXPECT_EQ(runs_->find(asked.id)->status, "cancelled");
  EXPECT_EQ(Json::parse(runs_->find(asked.id)->turns_json).size(), 3u);

  // The next run loads it and the model is sent a well-formed conversation.
  model_.push_json(anthropic_reply({llm::text_block("fine")}));
  EXPECT_EQ(runs_->run(spec("again"))["final_text"], "fine");
  const auto sent = Json::parse(model_.requests().back().body)["messages"];
  ASSERT_EQ(sent.size(), 4u) << sent;
  EXPECT_EQ(sent[2]["content"][0]["tool_use_id"], "t1");
}

TEST_P(RunsTest, ACancelAskedInAnotherProcessReachesTheRunWithItsHeartbeat) {
  model_.push(hanging());
  auto elsewhere_storage = open();
  auto elsewhere = make_runs(*elsewhere_storage);
  const host::RunSpec asked = spec("wait for it");
  auto running = std::async(std::launch::async, [&] { return runs_->run(asked); });
  ASSERT_TRUE(wait_until([&] { return model_.requests().size() == 1; }, 20s));
  const auto answer = elsewhere->cancel(asked.id, "another process");
  EXPECT_TRUE(answer.asked);
  // The running process may hear it with a beat before the answer is read back.
  EXPECT_THAT(answer.run.status, AnyOf("running", "cancelled"));
  EXPECT_TRUE(answer.run.cancel_requested);
  ASSERT_EQ(running.wait_for(10s), std::future_status::ready) << "the heartbeat never brought the cancel";
  EXPECT_EQ(code_of([&] { running.get(); }), ErrorCode::kCancelled);
  EXPECT_EQ(elsewhere->find(asked.id)->status, "cancelled");
}

TEST_P(RunsTest, AQueuedRunCancelledNeverRunsAndEndedOrUnknownRunsSayWhy) {
  host::RunSpec queued = spec("later");
  queued.id = runs_->queue(queued);
  queued.queued = true;
  EXPECT_EQ(runs_->find(queued.id)->status, "queued");
  EXPECT_EQ(runs_->cancel(queued.id, "a test").run.status, "cancelled");
  EXPECT_EQ(code_of([&] { runs_->run(queued); }), ErrorCode::kCancelled);
  EXPECT_TRUE(model_.requests().empty());

  std::string message;
  EXPECT_EQ(code_of([&] { runs_->cancel(queued.id, "a test"); }, &message), ErrorCode::kConflict);
  EXPECT_THAT(message, HasSubstr("cancelled"));
  EXPECT_EQ(code_of([&] { runs_->cancel("run_nope", "a test"); }), ErrorCode::kNotFound);
  EXPECT_EQ(code_of([&] { runs_->run({"Nobody", "hi", "s", {}, ""}); }), ErrorCode::kNotFound);
}

TEST_P(RunsTest, ARunWhoseProcessStoppedBeatingIsInterruptedByWhoeverLooksNext) {
  storage::RunRecord orphan;
  orphan.id = host::Runs::new_run_id();
  orphan.kind = "agent";
  orphan.name = "Toolish";
  orphan.session_id = "s";
  orphan.status = "running";
  orphan.message = "lost";
  orphan.process = "gone/1/deadbeef";
  storage_->runs()->create_run(orphan, epoch_ms(std::chrono::system_clock::now()) - 60'000);
  const auto record = runs_->find(orphan.id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, "interrupted");
  EXPECT_THAT(record->error_json, HasSubstr("gone/1/deadbeef"));

  // A live run of this process beats, so looking does not interrupt it.
  model_.push(hanging());
  const host::RunSpec asked = spec("wait for it");
  auto running = std::async(std::launch::async, [&] { return runs_->run(asked); });
  ASSERT_TRUE(wait_until([&] { return model_.requests().size() == 1; }, 20s));
  const auto later = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < later) EXPECT_EQ(runs_->find(asked.id)->status, "running");
  runs_->cancel(asked.id, "a test");
  EXPECT_EQ(code_of([&] { running.get(); }), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace aurite::testing
