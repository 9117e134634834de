// max_result_chars: a tool's result is cut before the model reads it, with a note of how
// much went, and the stored turn holds exactly what the model was sent (both backends).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "execution/result_cut.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::execution {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

class ToolResultCut : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.clients.push_back(testing::test_client("test_server"));
    project_.llms = {testing::scripted_llm("scripted", model_.base_url())};
    auto agent = testing::offline_agent("Reader", {"test_server"});
    agent.llm_config_id = "scripted";
    project_.agents.push_back(agent);
  }

  // Runs the agent once: it calls `huge` for `bytes` bytes, then answers. The tool_result
  // content the model was sent.
  Json run_huge(std::size_t bytes, const std::string& session) {
    model_.push_json(testing::anthropic_reply({llm::tool_use_block("t1", "huge", {{"bytes", bytes}})}, "tool_use"));
    model_.push_json(testing::anthropic_reply({llm::text_block("read it")}));
    testing::ProjectRun run(project_, storage_->history());
    result_ = run.facade->run_agent("Reader", "read", session);
    EXPECT_EQ(result_.status, RunStatus::kCompleted);
    const auto requests = model_.requests();
    const Json sent = Json::parse(requests.back().body)["messages"].back()["content"];
    EXPECT_EQ(sent.size(), 1u) << "one tool_result";
    return sent.at(0);
  }

  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
  testing::ScriptedHttpServer model_;
  AgentResult result_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ToolResultCut);

TEST_P(ToolResultCut, AFiveMegabyteResultReachesTheModelCutAndIsStoredAsSent) {
  const Json sent = run_huge(5000000, "big");
  EXPECT_EQ(sent["type"], "tool_result");
  const Json& content = sent["content"];
  ASSERT_EQ(content.size(), 2u) << content.dump().substr(0, 300);
  EXPECT_EQ(content[0]["text"], std::string(100000, 'x'));
  EXPECT_EQ(content[1]["text"], "[... 4,900,000 of 5,000,000 characters cut; max_result_chars is 100000]");

  const auto turns = storage_->history()->load_history("Reader", "big", 100);
  ASSERT_EQ(turns.size(), 4u);  // question, tool_use, tool_result, answer
  EXPECT_EQ(Json::parse(turns[2].content_json), Json::array({sent}));
  ASSERT_EQ(result_.tool_calls.size(), 1u);
  EXPECT_LT(result_.tool_calls[0].result_text.size(), 100100u);
  EXPECT_THAT(result_.tool_calls[0].result_text, HasSubstr("4,900,000 of 5,000,000 characters cut"));
}

TEST_P(ToolResultCut, TheStricterOfClientAndAgentWins) {
  project_.clients[0].max_result_chars = 1000;
  project_.agents[0].max_result_chars = 50000;
  Json content = run_huge(5000, "client")["content"];
  EXPECT_EQ(content[0]["text"].get<std::string>().size(), 1000u);
  EXPECT_EQ(content[1]["text"], "[... 4,000 of 5,000 characters cut; max_result_chars is 1000]");

  project_.clients[0].max_result_chars.reset();
  project_.agents[0].max_result_chars = 10;
  content = run_huge(5000, "agent")["content"];
  EXPECT_EQ(content[0]["text"], std::string(10, 'x'));
  EXPECT_EQ(content[1]["text"], "[... 4,990 of 5,000 characters cut; max_result_chars is 10]");

  // Within the limit nothing is added.
  content = run_huge(10, "small")["content"];
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0]["text"], std::string(10, 'x'));
}

TEST(ResultCut, CountsCharactersNotBytesAndKeepsOtherBlocks) {
  // "é" is two bytes, one character: a cut never splits it.
  Json content = Json::array({llm::text_block("ééé"), {{"type", "image"}, {"source", {{"data", "AAAA"}}}},
                              llm::text_block("abc"), llm::text_block("def")});
  ASSERT_TRUE(detail::cut_result_content(content, 5));
  ASSERT_EQ(content.size(), 4u) << content.dump();
  EXPECT_EQ(content[0]["text"], "ééé");
  EXPECT_EQ(content[1]["type"], "image");
  EXPECT_EQ(content[2]["text"], "ab");
  EXPECT_EQ(content[3]["text"], "[... 4 of 9 characters cut; max_result_chars is 5]");

  Json whole = Json::array({llm::text_block("ééé")});
  EXPECT_FALSE(detail::cut_result_content(whole, 3));
  EXPECT_EQ(whole, Json::array({llm::text_block("ééé")}));
  EXPECT_EQ(detail::cut_result_text("aéb", 2), "aé\n[... 1 of 3 characters cut; max_result_chars is 2]");
}

}  // namespace
}  // namespace aurite::execution
