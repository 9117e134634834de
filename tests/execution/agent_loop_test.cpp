// The tool-use loop: iteration limits, tool errors, concurrent tool calls, schema
// corrections, model failures. History is on (both backends) so each case also shows
// what lands in the database.
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::execution {
namespace {

using testing::BackendTest;
using Json = nlohmann::json;

// Everything of the test server but `keep` is excluded for the agent.
std::vector<std::string> all_test_tools_but(const std::vector<std::string>& keep) {
  std::vector<std::string> excluded;
  for (const auto& tool : testing::kTestServerTools) {
    if (std::find(keep.begin(), keep.end(), tool) == keep.end()) excluded.push_back(tool);
  }
  return excluded;
}

class AgentLoop : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.clients = testing::example_clients(dir_ / "plans");
    project_.clients.push_back(testing::test_client("test_server"));
    project_.llms = {testing::offline_llm(), testing::scripted_llm("scripted", model_.base_url())};
  }

  config::AgentConfig& add_agent(const std::string& name, const std::string& llm, std::vector<std::string> clients) {
    auto agent = testing::offline_agent(name, std::move(clients));
    agent.llm_config_id = llm;
    project_.agents.push_back(agent);
    return project_.agents.back();
  }

  std::vector<storage::Turn> stored(const std::string& agent, const std::string& session) {
    return storage_->history()->load_history(agent, session, 1000);
  }

  testing::ScriptedHttpServer model_;
  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
};

TEST_P(AgentLoop, MaxIterationsStopsWithAStatusAndNoDanglingToolCall) {
  add_agent("Looper", "offline", {"weather_server"}).max_iterations = 1;
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Looper", "weather?", "s");
  EXPECT_EQ(result.status, RunStatus::kMaxIterations);
  EXPECT_EQ(result.iterations, 1);
  EXPECT_EQ(result.tool_calls.size(), 2u);  // both weather tools ran before stopping
  const auto turns = stored("Looper", "s");
  ASSERT_EQ(turns.size(), 3u);
  EXPECT_EQ(turns.back().role, "user");  // the tool results, stored with their calls
  EXPECT_NE(turns.back().content_json.find("tool_result"), std::string::npos);
}

TEST_P(AgentLoop, ToolErrorsAreFedBackToTheModel) {
  add_agent("Careless", "offline", {"test_server"}).exclude_components = all_test_tools_but({"echo", "fail"});
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Careless", "go", "s");
  EXPECT_EQ(result.status, RunStatus::kCompleted);
  ASSERT_EQ(result.tool_calls.size(), 2u);
  EXPECT_FALSE(result.tool_calls[0].is_error);
  EXPECT_TRUE(result.tool_calls[1].is_error);
  EXPECT_EQ(result.tool_calls[1].result_text, "the tool failed");
  EXPECT_NE(result.final_text.find("- fail (error): the tool failed"), std::string::npos) << result.final_text;
}

TEST_P(AgentLoop, UnknownAndCrashingToolsBecomeErrorResultsNotExceptions) {
  add_agent("Scripted", "scripted", {"test_server"});
  model_.push_json(testing::anthropic_reply({llm::tool_use_block("t1", "no_such_tool", Json::object()),
                                             llm::tool_use_block("t2", "crash", Json::object())}, "tool_use"));
  model_.push_json(testing::anthropic_reply({llm::text_block("I could not do it.")}));
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Scripted", "try", "s");
  EXPECT_EQ(result.final_text, "I could not do it.");
  const auto second_request = Json::parse(model_.requests().at(1).body);
  const Json results = second_request["messages"].back()["content"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(llm::text_of(results[0]["content"]).find("no MCP tool named 'no_such_tool'"), std::string::npos) << results;
  EXPECT_EQ(results[1]["is_error"], true);
  EXPECT_NE(llm::text_of(results[1]["content"]).find("test_server"), std::string::npos) << results;
}

TEST_P(AgentLoop, ToolCallsOfOneReplyRunConcurrently) {
  add_agent("Sleepy", "scripted", {"test_server"});
  model_.push_json(testing::anthropic_reply({llm::tool_use_block("a", "sleep", {{"ms", 400}}),
                                             llm::tool_use_block("b", "sleep", {{"ms", 400}}),
                                             llm::tool_use_block("c", "sleep", {{"ms", 400}})}, "tool_use"));
  model_.push_json(testing::anthropic_reply({llm::text_block("rested")}));
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Sleepy", "sleep", "s");
  ASSERT_EQ(result.tool_calls.size(), 3u);
  EXPECT_LT(result.tool_ms, 1100.0);  // one after another would take at least 1200 ms
  // Results come back in the order of the calls, whatever order they finished in.
  const auto results = result.new_turns[2].content;
  EXPECT_EQ(results[0]["tool_use_id"], "a");
  EXPECT_EQ(results[2]["tool_use_id"], "c");
}

TEST_P(AgentLoop, AnswerIsCorrectedUntilItMatchesTheSchema) {
  auto& agent = add_agent("Structured", "scripted", {});
  agent.schema = Json::parse(R"({"type": "object", "properties": {"temperature": {"type": "number"}}, "required": ["temperature"]})");
  model_.push_json(testing::anthropic_reply({llm::text_block("It is warm.")}));
  model_.push_json(testing::anthropic_reply({llm::text_block(R"({"temperature": "warm"})")}));
  model_.push_json(testing::anthropic_reply({llm::text_block("```json\n{\"temperature\": 21}\n```")}));
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Structured", "temperature?", "s");
  EXPECT_EQ(result.status, RunStatus::kCompleted);
  EXPECT_EQ(result.iterations, 3);
  EXPECT_EQ(result.final_json, (Json{{"temperature", 21}}));
  const auto first_request = Json::parse(model_.requests().at(0).body);
  EXPECT_NE(first_request["system"].get<std::string>().find("JSON Schema"), std::string::npos);
  const auto second_request = Json::parse(model_.requests().at(1).body);
  EXPECT_NE(llm::text_of(second_request["messages"].back()["content"]).find("does not match the required JSON Schema"),
            std::string::npos);
  EXPECT_EQ(stored("Structured", "s").size(), 6u);  // question, 3 answers, 2 corrections
}

TEST_P(AgentLoop, SchemaCorrectionsAreBounded) {
  add_agent("Stubborn", "scripted", {}).schema = Json{{"type", "object"}, {"required", {"x"}}};
  for (int i = 0; i <= kMaxSchemaCorrections; ++i) model_.push_json(testing::anthropic_reply({llm::text_block("no")}));
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Stubborn", "x?", "s");
  EXPECT_EQ(result.status, RunStatus::kSchemaMismatch);
  EXPECT_EQ(result.iterations, kMaxSchemaCorrections + 1);
  EXPECT_FALSE(result.final_json.has_value());
}

TEST_P(AgentLoop, ModelFailureIsAnErrorAndKeepsTheTurnsSoFar) {
  add_agent("Unlucky", "scripted", {});
  model_.push_json(R"({"type": "error", "error": {"type": "invalid_request_error", "message": "bad request"}})", 400);
  testing::ProjectRun run(project_, storage_->history());
  try {
    run.facade->run_agent("Unlucky", "hello", "s");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUpstream);  // the provider's, not the caller's
    EXPECT_NE(std::string(error.what()).find("bad request"), std::string::npos);
  }
  const auto turns = stored("Unlucky", "s");
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0].role, "user");
}

TEST_P(AgentLoop, UnknownAgentIsNotFound) {
  testing::ProjectRun run(project_, storage_->history());
  try {
    run.facade->run_agent("Nobody", "hi", "");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(AgentLoop);

}  // namespace
}  // namespace aurite::execution
