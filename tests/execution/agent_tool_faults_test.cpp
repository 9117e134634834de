// Agent runs whose MCP server fails under them: killed with SIGKILL in the middle of a
// tool call, or never answering one. The run tells the model (an error tool result),
// completes, and leaves a history whose tool exchanges hold together; the server is
// back for the next run. History on, both backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <future>

#include "aurite/config/project_file.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/child_process.hpp"
#include "support/history_consistency.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::execution {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using namespace std::chrono_literals;

// Bytes the process has read so far (/proc/PID/io rchar): the test server reads nothing
// but its stdin once started, so a rise means it has taken in our next request.
long long bytes_read_by(pid_t pid) {
  std::ifstream io("/proc/" + std::to_string(pid) + "/io");
  for (std::string key; io >> key;) {
    long long value = 0;
    io >> value;
    if (key == "rchar:") return value;
  }
  return -1;
}

class AgentToolFaults : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.llms = {testing::scripted_llm("scripted", model_.base_url())};
  }

  void add_agent(config::ClientConfig client) {
    project_.clients = {std::move(client)};
    auto agent = testing::offline_agent("Toolish", {"test_server"});
    agent.llm_config_id = "scripted";
    project_.agents = {agent};
  }

  std::vector<storage::Turn> stored() { return storage_->history()->load_history("Toolish", "s", 1000); }

  // The tool_result blocks of the last message the model was sent.
  Json last_results_sent() {
    const auto request = Json::parse(model_.requests().back().body);
    return request["messages"].back()["content"];
  }

  // One more run that calls echo: the server answers again.
  void expect_echo_works(testing::ProjectRun& run) {
    model_.push_json(
        testing::anthropic_reply({llm::tool_use_block("e1", "echo", {{"text", "back"}})}, "tool_use"));
    model_.push_json(testing::anthropic_reply({llm::text_block("it answers again")}));
    const auto again = run.facade->run_agent("Toolish", "echo", "s");
    ASSERT_EQ(again.tool_calls.size(), 1u);
    EXPECT_FALSE(again.tool_calls[0].is_error) << again.tool_calls[0].result_text;
    EXPECT_EQ(again.tool_calls[0].result_text, "back");
  }

  void expect_consistent_history(std::size_t turns) {
    const auto all = stored();
    EXPECT_EQ(all.size(), turns);
    EXPECT_THAT(testing::tool_exchange_problems(all, /*allow_unanswered=*/false), ::testing::IsEmpty());
    EXPECT_THAT(testing::history_table_problems(url_), ::testing::IsEmpty());
  }

  testing::ScriptedHttpServer model_;
  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
};

TEST_P(AgentToolFaults, ServerKilledMidCallIsAToolErrorTheRunCompletesAndTheServerIsBackNextTime) {
  add_agent(testing::test_client("test_server"));
  model_.push_json(
      testing::anthropic_reply({llm::tool_use_block("t1", "sleep", {{"ms", 60'000}})}, "tool_use"));
  model_.push_json(testing::anthropic_reply({llm::text_block("the tool died")}));
  testing::ProjectRun run(project_, storage_->history());
  const pid_t server = std::stoi(run.mcp->call_tool("pid", Json::object()).text());
  const long long read_before = bytes_read_by(server);
  ASSERT_GT(read_before, 0) << "cannot read /proc/" << server << "/io";

  auto running =
      std::async(std::launch::async, [&] { return run.facade->run_agent("Toolish", "sleep", "s"); });
  const bool in_call =
      testing::wait_until([&] { return stored().size() >= 2 && bytes_read_by(server) > read_before; }, 20s);
  ASSERT_TRUE(in_call) << "the server never received the tools/call";
  ASSERT_EQ(::kill(server, SIGKILL), 0);
  ASSERT_EQ(running.wait_for(30s), std::future_status::ready) << "the run did not notice the dead server";
  const auto result = running.get();

  EXPECT_EQ(result.status, RunStatus::kCompleted);
  EXPECT_EQ(result.final_text, "the tool died");
  ASSERT_EQ(result.tool_calls.size(), 1u);
  EXPECT_TRUE(result.tool_calls[0].is_error);
  EXPECT_THAT(result.tool_calls[0].result_text, HasSubstr("test_server"));
  const Json results = last_results_sent();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["tool_use_id"], "t1");
  EXPECT_EQ(results[0]["is_error"], true);
  expect_consistent_history(4);

  expect_echo_works(run);
  expect_consistent_history(8);
}

TEST_P(AgentToolFaults, ToolThatNeverAnswersTimesOutAsAToolErrorAndTheRunCompletes) {
  add_agent(testing::test_client("test_server", {}, /*timeout=*/1.0));
  model_.push_json(
      testing::anthropic_reply({llm::tool_use_block("t1", "sleep", {{"ms", 600'000}})}, "tool_use"));
  model_.push_json(testing::anthropic_reply({llm::text_block("it never answered")}));
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Toolish", "sleep", "s");

  EXPECT_EQ(result.status, RunStatus::kCompleted);
  EXPECT_EQ(result.final_text, "it never answered");
  ASSERT_EQ(result.tool_calls.size(), 1u);
  EXPECT_TRUE(result.tool_calls[0].is_error);
  EXPECT_THAT(result.tool_calls[0].result_text,
              HasSubstr("MCP client 'test_server': no answer to tools/call within"));
  const Json results = last_results_sent();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["tool_use_id"], "t1");
  EXPECT_EQ(results[0]["is_error"], true);
  expect_consistent_history(4);

  expect_echo_works(run);  // the stuck call does not block the next one
  expect_consistent_history(8);
}

// `aurite run` killed while its tool runs leaves the session with a tool_use and no
// result; the next run sends the model that call answered as an error, never bare.
TEST_P(AgentToolFaults, RunKilledWhileItsToolRunsHasTheCallAnsweredAsAnErrorInTheNextRequest) {
  add_agent(testing::test_client("test_server"));
  model_.push_json(
      testing::anthropic_reply({llm::tool_use_block("t1", "sleep", {{"ms", 20'000}})}, "tool_use"));
  const auto file = dir_ / "aurite_config.json";
  config::save_project_file(project_, file);
  auto env = db_env();
  env["AURITE_TEST_API_KEY"] = "sk-test";
  testing::ChildProcess cli(
      {AURITE_CLI_PATH, "run", "Toolish", "go", "--session", "s", "--config", file.string(), "-q"}, env);
  ASSERT_TRUE(testing::wait_until([&] { return stored().size() >= 2; }, 20s))
      << "the run never called its tool";
  cli.kill(SIGKILL);
  EXPECT_EQ(cli.wait(), 128 + SIGKILL);
  ASSERT_EQ(stored().size(), 2u);
  EXPECT_THAT(testing::tool_exchange_problems(stored(), /*allow_unanswered=*/true), ::testing::IsEmpty());

  model_.push_json(testing::anthropic_reply({llm::text_block("carrying on")}));
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Toolish", "continue", "s");
  EXPECT_EQ(result.final_text, "carrying on");
  EXPECT_EQ(result.history_turns_loaded, 2u);
  const auto sent = Json::parse(model_.requests().back().body)["messages"];
  ASSERT_EQ(sent.size(), 4u) << sent;
  EXPECT_EQ(sent[2]["content"][0]["type"], "tool_result");
  EXPECT_EQ(sent[2]["content"][0]["tool_use_id"], "t1");
  EXPECT_EQ(sent[2]["content"][0]["is_error"], true);
  EXPECT_EQ(llm::text_of(sent[3]["content"]), "continue");
  // Once the call is inside the history, not at its end, it is still answered.
  model_.push_json(testing::anthropic_reply({llm::text_block("still fine")}));
  EXPECT_EQ(run.facade->run_agent("Toolish", "and again", "s").final_text, "still fine");
  const auto later = Json::parse(model_.requests().back().body)["messages"];
  ASSERT_EQ(later.size(), 6u) << later;
  EXPECT_EQ(later[2]["content"][0]["tool_use_id"], "t1");
  EXPECT_EQ(later[2]["content"][0]["is_error"], true);

  const auto after = stored();
  EXPECT_EQ(after.size(), 6u);  // the answers were sent, not stored: the store keeps what happened
  EXPECT_THAT(testing::tool_exchange_problems(after, /*allow_unanswered=*/true), ::testing::IsEmpty());
  EXPECT_THAT(testing::history_table_problems(url_), ::testing::IsEmpty());
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(AgentToolFaults);

}  // namespace
}  // namespace aurite::execution
