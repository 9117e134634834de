// `aurite run` killed with SIGKILL in the middle of a run: the database is sound (PRAGMA
// integrity_check on SQLite, the history tables agree on both backends), the turns
// acknowledged so far are in it, and the next run continues the session from them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "aurite/config/json_codec.hpp"
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

using Json = nlohmann::json;

class AgentCrash : public testing::BackendTest {};

TEST_P(AgentCrash, KilledRunLeavesItsTurnsAndTheNextRunContinues) {
  testing::ScriptedHttpServer model;
  model.push_json(testing::anthropic_reply({llm::tool_use_block("t1", "echo", {{"text", "hello"}})}, "tool_use"));
  testing::ScriptedReply hang;
  hang.hang = true;  // the second model call never returns: the run is killed there
  model.push(hang);

  config::ProjectConfig project;
  project.clients = {testing::test_client("test_server")};
  project.llms = {testing::scripted_llm("scripted", model.base_url())};
  auto agent = testing::offline_agent("Crashy", {"test_server"});
  agent.llm_config_id = "scripted";
  project.agents = {agent};
  const auto file = dir_ / "aurite_config.json";
  config::save_project_file(project, file);

  auto env = db_env();
  env["AURITE_TEST_API_KEY"] = "sk-test";
  testing::ChildProcess run({AURITE_CLI_PATH, "run", "Crashy", "go", "--session", "s", "--config", file.string(), "-q"}, env);
  const auto storage = open();
  const bool three_turns = testing::wait_until([&] {
    return storage->history()->load_history("Crashy", "s", 100).size() >= 3;
  }, std::chrono::seconds(20));
  ASSERT_TRUE(three_turns) << "the run never stored its first three turns";
  run.kill(SIGKILL);
  EXPECT_EQ(run.wait(), 128 + SIGKILL);
  if (!is_postgres()) {
    EXPECT_EQ(testing::sqlite_integrity_check(dir_ / "data/aurite.db"), "ok");
  }
  EXPECT_THAT(testing::history_table_problems(url_), ::testing::IsEmpty());

  const auto turns = storage->history()->load_history("Crashy", "s", 100);
  ASSERT_EQ(turns.size(), 3u);
  EXPECT_EQ(turns[0].role, "user");
  EXPECT_NE(turns[1].content_json.find("tool_use"), std::string::npos);
  EXPECT_NE(turns[2].content_json.find("tool_result"), std::string::npos);

  model.push_json(testing::anthropic_reply({llm::text_block("picked up where we left off")}));
  testing::ProjectRun rerun(project, storage->history());
  const auto result = rerun.facade->run_agent("Crashy", "continue", "s");
  EXPECT_EQ(result.history_turns_loaded, 3u);
  EXPECT_EQ(result.final_text, "picked up where we left off");
  EXPECT_EQ(storage->history()->load_history("Crashy", "s", 100).size(), 5u);
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(AgentCrash);

}  // namespace
}  // namespace aurite::execution
