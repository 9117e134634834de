// What a run used: every model call's tokens (as its provider reported them), its cost
// from the llm's pricing, and every tool call, in the run's result and stored with the
// turns they belong to (both backends).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::execution {
namespace {

using Json = nlohmann::json;

std::string reply_with_usage(const std::vector<Json>& blocks, const std::string& stop_reason, const Json& usage) {
  return Json{{"content", blocks}, {"stop_reason", stop_reason}, {"usage", usage}}.dump();
}

class RunUsage : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.clients.push_back(testing::test_client("test_server"));
    config::LlmConfig llm = testing::scripted_llm("scripted", model_.base_url());
    llm.model = "claude-test";
    llm.pricing = config::Pricing{3.0, 15.0, 0.3, 3.75};
    project_.llms = {llm};
    auto agent = testing::offline_agent("Counter", {"test_server"});
    agent.llm_config_id = "scripted";
    project_.agents.push_back(agent);
  }

  // The agent calls echo and a tool nobody offers, then answers.
  AgentResult run_once(const std::string& session) {
    model_.push_json(reply_with_usage(
        {llm::tool_use_block("t1", "echo", {{"text", "hi"}}), llm::tool_use_block("t2", "nowhere", Json::object())},
        "tool_use", {{"input_tokens", 100}, {"output_tokens", 20}, {"cache_read_input_tokens", 1000},
                     {"cache_creation_input_tokens", 50}}));
    model_.push_json(reply_with_usage({llm::text_block("done")}, "end_turn", {{"input_tokens", 150}, {"output_tokens", 5}}));
    testing::ProjectRun run(project_, storage_->history());
    return run.facade->run_agent("Counter", "count", session);
  }

  std::vector<storage::TurnRecord> stored(const std::string& session) {
    std::vector<storage::TurnRecord> turns;
    storage_->history_admin()->for_each_turn({"Counter", session},
                                            [&](const storage::TurnRecord& turn) { turns.push_back(turn); });
    return turns;
  }

  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
  testing::ScriptedHttpServer model_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(RunUsage);

TEST_P(RunUsage, EachModelCallIsInTheResultWithItsCost) {
  const AgentResult result = run_once("s");
  ASSERT_EQ(result.status, RunStatus::kCompleted);
  ASSERT_EQ(result.model_calls.size(), 2u);
  const storage::ModelCallUsage& first = result.model_calls[0].usage;
  EXPECT_EQ(first.provider, "anthropic");
  EXPECT_EQ(first.model, "claude-test");
  EXPECT_EQ(first.llm_id, "scripted");
  EXPECT_EQ(first.input_tokens, 100);
  EXPECT_EQ(first.cache_read_tokens, 1000);
  EXPECT_EQ(first.cache_write_tokens, 50);
  EXPECT_EQ(first.stop_reason, "tool_use");
  EXPECT_GT(first.duration_ms, 0);
  const double first_cost = (100 * 3.0 + 20 * 15.0 + 1000 * 0.3 + 50 * 3.75) / 1e6;
  const double second_cost = (150 * 3.0 + 5 * 15.0) / 1e6;
  EXPECT_NEAR(*result.model_calls[0].cost_usd, first_cost, 1e-12);
  EXPECT_NEAR(*result.cost_usd(), first_cost + second_cost, 1e-12);
  EXPECT_EQ(result.usage.input_tokens, 250);
  EXPECT_EQ(result.usage.cache_read_tokens, 1000);

  const Json usage = result.to_json()["usage"];
  EXPECT_EQ(usage["input_tokens"], 250);
  EXPECT_EQ(usage["output_tokens"], 25);
  EXPECT_EQ(usage["cache_write_tokens"], 50);
  EXPECT_NEAR(usage["cost_usd"].get<double>(), first_cost + second_cost, 1e-12);
  ASSERT_EQ(usage["calls"].size(), 2u);
  EXPECT_EQ(usage["calls"][1]["stop_reason"], "end_turn");
  EXPECT_EQ(usage["calls"][1]["llm_id"], "scripted");
}

TEST_P(RunUsage, WithoutPricingTheRunHasTokensButNoCost) {
  project_.llms[0].pricing.reset();
  const AgentResult result = run_once("s");
  EXPECT_FALSE(result.cost_usd());
  EXPECT_FALSE(result.to_json()["usage"].contains("cost_usd"));
  EXPECT_EQ(result.to_json()["usage"]["input_tokens"], 250);
}

TEST_P(RunUsage, UsageIsStoredWithTheTurnsItBelongsTo) {
  run_once("s");
  const auto turns = stored("s");
  ASSERT_EQ(turns.size(), 4u);  // question, tool_use, tool results, answer
  EXPECT_TRUE(turns[0].usage.empty());
  ASSERT_TRUE(turns[1].usage.model_call);
  EXPECT_EQ(turns[1].usage.model_call->input_tokens, 100);
  EXPECT_EQ(turns[1].usage.model_call->cache_write_tokens, 50);
  EXPECT_EQ(turns[1].usage.model_call->llm_id, "scripted");
  ASSERT_EQ(turns[2].usage.tool_calls.size(), 2u);
  const storage::ToolCallUsage& echo = turns[2].usage.tool_calls[0];
  EXPECT_EQ(echo.call_id, "t1");
  EXPECT_EQ(echo.tool, "echo");
  EXPECT_EQ(echo.client_id, "test_server");
  EXPECT_FALSE(echo.is_error);
  EXPECT_GT(echo.duration_ms, 0);
  const storage::ToolCallUsage& nowhere = turns[2].usage.tool_calls[1];
  EXPECT_EQ(nowhere.tool, "nowhere");
  EXPECT_EQ(nowhere.client_id, "");
  EXPECT_TRUE(nowhere.is_error);
  ASSERT_TRUE(turns[3].usage.model_call);
  EXPECT_EQ(turns[3].usage.model_call->output_tokens, 5);

  // History stats price it with the project's llms.
  const auto stats = storage_->history_admin()->stats(std::string("Counter"), project_.llms);
  ASSERT_EQ(stats.per_agent.size(), 1u);
  EXPECT_EQ(stats.per_agent[0].usage.model_calls, 2);
  EXPECT_NEAR(stats.per_agent[0].usage.cost_usd,
              (250 * 3.0 + 25 * 15.0 + 1000 * 0.3 + 50 * 3.75) / 1e6, 1e-12);
}

}  // namespace
}  // namespace aurite::execution
