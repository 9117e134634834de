// History through a run: every turn appended as it happens, loaded by the next run.
#include <gtest/gtest.h>

#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::execution {
namespace {

using testing::BackendTest;
using Json = nlohmann::json;

class AgentHistory : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.clients = testing::example_clients(dir_ / "plans");
    project_.llms = {testing::offline_llm()};
    project_.agents = {testing::offline_agent("Weather Agent", {"weather_server"})};
    project_.agents[0].exclude_components = {"current_time"};
  }

  std::vector<storage::Turn> stored(const std::string& session) {
    return storage_->history()->load_history("Weather Agent", session, 1000);
  }

  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
};

TEST_P(AgentHistory, EveryTurnIsStoredAndTheNextRunLoadsThem) {
  testing::ProjectRun run(project_, storage_->history());
  const auto first = run.facade->run_agent("Weather Agent", "Weather in Oslo?", "s1");
  EXPECT_EQ(first.status, RunStatus::kCompleted);
  EXPECT_EQ(first.history_turns_loaded, 0u);
  ASSERT_EQ(first.new_turns.size(), 4u);  // user, tool_use, tool results, answer
  const auto turns = stored("s1");
  ASSERT_EQ(turns.size(), 4u);
  for (std::size_t i = 0; i < turns.size(); ++i) {
    EXPECT_EQ(turns[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(turns[i].role, first.new_turns[i].role);
    EXPECT_EQ(Json::parse(turns[i].content_json), first.new_turns[i].content);
  }
  EXPECT_TRUE(llm::is_tool_result_message(first.new_turns[2]));

  const auto second = run.facade->run_agent("Weather Agent", "And tomorrow?", "s1");
  EXPECT_EQ(second.history_turns_loaded, 4u);
  // 4 loaded + user + tool_use + results before the final call: 6 earlier than the last.
  EXPECT_NE(second.final_text.find("This conversation has 6 earlier messages."), std::string::npos) << second.final_text;
  EXPECT_EQ(stored("s1").size(), 8u);
  EXPECT_TRUE(stored("other").empty());
}

TEST_P(AgentHistory, HistoryLimitWindowStartsAtARealUserTurn) {
  project_.agents[0].history_limit = 4;
  testing::ProjectRun run(project_, storage_->history());
  run.facade->run_agent("Weather Agent", "one", "s");
  run.facade->run_agent("Weather Agent", "two", "s");
  const auto third = run.facade->run_agent("Weather Agent", "three", "s");
  EXPECT_EQ(third.history_turns_loaded, 4u);  // exactly the second run
  project_.agents[0].history_limit = 3;       // the last 3 start inside a tool exchange
  testing::ProjectRun limited(project_, storage_->history());
  EXPECT_EQ(limited.facade->run_agent("Weather Agent", "four", "s").history_turns_loaded, 0u);
}

TEST_P(AgentHistory, WithoutIncludeHistoryNothingIsStoredOrLoaded) {
  project_.agents[0].include_history = false;
  testing::ProjectRun run(project_, storage_->history());
  run.facade->run_agent("Weather Agent", "one", "s");
  EXPECT_EQ(run.facade->run_agent("Weather Agent", "two", "s").history_turns_loaded, 0u);
  EXPECT_TRUE(stored("s").empty());
}

TEST_P(AgentHistory, NoSessionIdMeansTheDefaultSession) {
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_agent("Weather Agent", "hi", "");
  EXPECT_EQ(result.session_id, "default");
  EXPECT_EQ(stored("default").size(), 4u);
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(AgentHistory);

}  // namespace
}  // namespace aurite::execution
