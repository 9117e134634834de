// aurite run and aurite chat on the example project, as the README's demo runs them:
// the test model, the example MCP servers on PATH, history in a SQLite file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aurite/storage/storage_manager.hpp"
#include "cli/cli_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;
using testing::run_aurite;

class RunCommand : public ::testing::Test {
 protected:
  testing::ProcessOptions demo_env(bool database = true) const {
    testing::ProcessOptions options;
    options.env["PATH"] = std::string(AURITE_BINARY_DIR) + "/bin:" + std::getenv("PATH");
    options.env["AURITE_PLUGIN_PATH"] = std::string(AURITE_BINARY_DIR) + "/plugins";
    options.env["AURITE_ENABLE_DB"] = database ? "true" : "false";
    options.env["AURITE_DB_PATH"] = (dir_ / "aurite.db").string();
    options.unset_env = {"AURITE_DB_URL", "AURITE_DB_TYPE"};
    options.working_dir = dir_.path().string();
    return options;
  }

  json run_json(const std::vector<std::string>& args, bool database = true) const {
    std::vector<std::string> all = {"run"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--json", "--config", kExampleProject});
    const auto result = run_aurite(all, demo_env(database));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out);
  }

  testing::TempDir dir_;
};

TEST_F(RunCommand, SecondRunOnASessionLoadsTheFirstRunsTurns) {
  const json first = run_json({"Weather Agent", "Weather in Oslo?", "--session", "demo"});
  EXPECT_EQ(first["status"], "completed");
  EXPECT_EQ(first["history_turns_loaded"], 0);
  EXPECT_EQ(first["tool_calls"][0]["name"], "weather_lookup");
  EXPECT_TRUE(first["final_json"].contains("weather_summary"));  // the agent's schema
  const json second = run_json({"Weather Agent", "And tomorrow?", "--session", "demo"});
  EXPECT_EQ(second["history_turns_loaded"], 4);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "aurite.db"));
}

TEST_F(RunCommand, TheReadmeExampleRunsWithoutTheBuildOnPathAndAnswersAboutTheCityAsked) {
  // Only the system's folders on PATH and no plugin path: the example servers and the
  // example plugin are found next to the aurite program of the build.
  auto env = demo_env(false);
  env.env["PATH"] = "/usr/bin:/bin";
  env.unset_env.push_back("AURITE_PLUGIN_PATH");
  env.env.erase("AURITE_PLUGIN_PATH");
  const auto result = run_aurite({"run", "Weather Agent", "What should I wear in Oslo?", "--config", kExampleProject}, env);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.err, "[Weather Agent] tool weather_lookup {\"location\":\"Oslo\"")) << result.err;
  const json answer = json::parse(result.out);
  EXPECT_TRUE(contains(answer["weather_summary"].get<std::string>(), "Weather in Oslo:")) << result.out;
  const auto custom = run_aurite({"run", "Example Custom Workflow", "Quito", "--json", "--config", kExampleProject}, env);
  ASSERT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_TRUE(contains(json::parse(custom.out)["result"]["weather_report"].get<std::string>(), "Weather in Quito:")) << custom.out;
}

TEST_F(RunCommand, AFollowUpQuestionIsAnsweredAboutTheCityOfTheSession) {
  run_json({"Weather Planning Agent", "What should I wear in Oslo today?", "--session", "trip"});
  const json second = run_json({"Weather Planning Agent", "And tomorrow?", "--session", "trip"});
  EXPECT_EQ(second["tool_calls"][0]["input"]["location"], "Oslo") << second.dump(2);
  EXPECT_TRUE(contains(second["final_text"].get<std::string>(), "Weather in Oslo:")) << second.dump(2);
}

TEST_F(RunCommand, WithoutTheDatabaseNothingIsRememberedAndNoFileIsCreated) {
  run_json({"Weather Agent", "one", "--session", "demo"}, false);
  EXPECT_EQ(run_json({"Weather Agent", "two", "--session", "demo"}, false)["history_turns_loaded"], 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "aurite.db"));
}

TEST_F(RunCommand, StepsGoToStderrAndTheAnswerToStdout) {
  const auto result = run_aurite({"run", "Weather Reporter", "Oslo", "--config", kExampleProject}, demo_env());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (const char* step : {"[Weather Reporter] model call 1", "[Weather Reporter] tool weather_lookup",
                           "[Weather Reporter]   <- weather_lookup: Weather in", "[Weather Reporter] completed in"}) {
    EXPECT_TRUE(contains(result.err, step)) << step << "\n" << result.err;
  }
  EXPECT_TRUE(contains(result.out, "Tool results:")) << result.out;
  EXPECT_FALSE(contains(result.out, "model call")) << result.out;
}

TEST_F(RunCommand, ToolProgressIsShownBetweenTheCallAndItsResult) {
  json exclude = json::array();
  for (const auto& tool : testing::kTestServerTools) {
    if (tool != "progress") exclude.push_back(tool);
  }
  const json project = {
      {"clients", {{{"client_id", "reporter"}, {"command", AURITE_TEST_MCP_SERVER}, {"exclude", exclude}}}},
      {"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
      {"agents", {{{"name", "Progress Agent"}, {"client_ids", {"reporter"}}, {"llm_config_id", "offline"}}}}};
  const auto config = dir_.write("progress.json", project.dump(2));
  const auto result = run_aurite({"run", "Progress Agent", "go", "--config", config.string()}, demo_env(false));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto call = result.err.find("[Progress Agent] tool progress");
  const auto first = result.err.find("[Progress Agent]   .. progress: 1/3 step 1\n");
  const auto last = result.err.find("[Progress Agent]   .. progress: 3/3 step 3\n");
  const auto answer = result.err.find("[Progress Agent]   <- progress: done after 3 steps");
  ASSERT_NE(call, std::string::npos) << result.err;
  ASSERT_NE(first, std::string::npos) << result.err;
  ASSERT_NE(last, std::string::npos) << result.err;
  ASSERT_NE(answer, std::string::npos) << result.err;
  EXPECT_LT(call, first);
  EXPECT_LT(first, last);
  EXPECT_LT(last, answer);
}

TEST_F(RunCommand, WorkflowAndCustomWorkflowRunByName) {
  const json workflow = run_json({"Weather Planning Workflow", "Oslo"});
  EXPECT_EQ(workflow["kind"], "workflow");
  EXPECT_EQ(workflow["steps"].size(), 2u);
  const json custom = run_json({"Example Custom Workflow", "Lima"});
  EXPECT_EQ(custom["kind"], "custom_workflow");
  EXPECT_EQ(custom["result"]["city"], "Lima");
}

TEST_F(RunCommand, UnknownNameIsAUsageError) {
  const auto result = run_aurite({"run", "Nobody", "hi", "--config", kExampleProject}, demo_env());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "no agent, workflow, graph workflow or custom workflow named 'Nobody'")) << result.err;
}

TEST_F(RunCommand, AMistypedNameSuggestsTheClosestOne) {
  const auto result = run_aurite({"run", "weather agnet", "hi", "--config", kExampleProject}, demo_env());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "no agent, workflow, graph workflow or custom workflow named 'weather agnet' (did you mean "
                                   "'Weather Agent'?); aurite list shows them"))
      << result.err;
  const auto chat = run_aurite({"chat", "Planer", "--config", kExampleProject}, demo_env());
  EXPECT_EQ(chat.exit_code, 2);
  EXPECT_TRUE(contains(chat.err, "no agent named 'Planer' (did you mean 'Planner'?)")) << chat.err;
}

TEST_F(RunCommand, ChatWithoutTheModelsApiKeyEndsAtTheFirstMessageNamingTheVariable) {
  const auto project = dir_.write("claude.json", R"({"llms": [{"llm_id": "claude", "provider": "anthropic",
    "model": "claude-sonnet-4-5", "api_key_env": "AURITE_TEST_UNSET_KEY"}],
    "agents": [{"name": "assistant", "llm_config_id": "claude"}]})");
  auto env = demo_env(false);
  env.unset_env.push_back("AURITE_TEST_UNSET_KEY");
  env.stdin_text = "hello\nagain\n";
  const auto result = run_aurite({"chat", "assistant", "--config", project.string()}, env);
  EXPECT_EQ(result.exit_code, 2);
  const std::string missing = "the API key variable AURITE_TEST_UNSET_KEY is not set";
  EXPECT_TRUE(contains(result.err, missing)) << result.err;
  EXPECT_EQ(result.err.find(missing), result.err.rfind(missing)) << "asked twice:\n" << result.err;
}

TEST_F(RunCommand, BadDatabaseFlagIsAUsageErrorNamingTheVariable) {
  auto env = demo_env();
  env.env["AURITE_ENABLE_DB"] = "perhaps";
  const auto result = run_aurite({"run", "Weather Agent", "hi", "--config", kExampleProject}, env);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "AURITE_ENABLE_DB")) << result.err;
}

TEST_F(RunCommand, ABusySessionExitsWithStatus3AndTheSessionBusyError) {
  // Another process holds the session's lease: this test, through the store.
  storage::StorageSettings settings;
  settings.enabled = true;
  settings.sqlite_path = (dir_ / "aurite.db").string();
  auto db = storage::StorageManager::open(settings);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(db->leases()->try_take_lease("Weather Agent", "held", "elsewhere", now, now + 60'000));

  const std::vector<std::string> reject = {"run", "Weather Agent", "hi", "--session", "held", "--on-busy", "reject",
                                           "--json", "--config", kExampleProject};
  const auto refused = run_aurite(reject, demo_env());
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_TRUE(contains(refused.err, "session 'held' of agent 'Weather Agent' is busy")) << refused.err;
  EXPECT_EQ(json::parse(refused.out)["error"]["code"], "session_busy");
  // Waiting ends at AURITE_SESSION_WAIT, with the same status.
  auto short_wait = demo_env();
  short_wait.env["AURITE_SESSION_WAIT"] = "0";
  const auto waited =
      run_aurite({"run", "Weather Agent", "hi", "--session", "held", "--config", kExampleProject}, short_wait);
  EXPECT_EQ(waited.exit_code, 3) << waited.err;
  EXPECT_TRUE(db->history()->load_turns("Weather Agent", "held", 0, 100).empty());

  db->leases()->release_lease("Weather Agent", "held", "elsewhere");
  const auto ran = run_aurite(reject, demo_env());
  EXPECT_EQ(ran.exit_code, 0) << ran.err;

  const auto bad = run_aurite({"run", "Weather Agent", "hi", "--on-busy", "never", "--config", kExampleProject},
                              demo_env());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "--on-busy")) << bad.err;
}

TEST_F(RunCommand, ARunSyncsTheProjectSoTheDatabaseAloneCanRunItLater) {
  run_json({"Weather Agent", "one", "--session", "db"});
  auto env = demo_env();
  const auto result = run_aurite({"run", "Weather Agent", "two", "--session", "db", "--json", "--config-source", "db",
                                  "--config", (dir_ / "no-such-file.json").string()},
                                 env);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json::parse(result.out)["history_turns_loaded"], 4);
}

TEST_F(RunCommand, DatabaseSourceWithTheDatabaseOffIsAUsageError) {
  const auto result = run_aurite({"run", "Weather Agent", "x", "--config-source", "db", "--config", kExampleProject},
                                 demo_env(false));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "AURITE_ENABLE_DB")) << result.err;
}

TEST_F(RunCommand, ChatKeepsOneSessionAcrossMessages) {
  auto env = demo_env();
  env.stdin_text = "hello\nagain\n/exit\nnot read\n";
  const auto result = run_aurite({"chat", "Planner", "--session", "c", "--config", kExampleProject}, env);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // The second answer sees the first exchange (4 turns) plus its own 3 earlier messages.
  EXPECT_TRUE(contains(result.out, "Planner> Tool results:")) << result.out;
  EXPECT_TRUE(contains(result.out, "(This conversation has 2 earlier messages.)")) << result.out;
  EXPECT_TRUE(contains(result.out, "(This conversation has 6 earlier messages.)")) << result.out;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n') > 0, true);
  EXPECT_FALSE(contains(result.err + result.out, "not read"));
}

TEST_F(RunCommand, ChatWithoutTheDatabaseKeepsTheConversationInMemory) {
  auto env = demo_env(/*database=*/false);
  env.stdin_text = "hello\nagain\n";
  const auto result = run_aurite({"chat", "Planner", "--config", kExampleProject}, env);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "(This conversation has 6 earlier messages.)")) << result.out;
  EXPECT_TRUE(contains(result.err, "kept for this chat only")) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "aurite.db"));
}

TEST_F(RunCommand, ASessionWithoutTheDatabaseIsSaidToBeNotKept) {
  const auto result = run_aurite({"run", "Planner", "hello", "--session", "s1", "--config", kExampleProject},
                                 demo_env(/*database=*/false));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.err, "note: session 's1' is not kept")) << result.err;
  const auto kept = run_aurite({"run", "Planner", "hello", "--session", "s1", "--config", kExampleProject}, demo_env());
  EXPECT_FALSE(contains(kept.err, "is not kept")) << kept.err;
}

TEST_F(RunCommand, AWorkflowShowsEveryStepsAnswerWithOrWithoutStreaming) {
  const auto plain = run_aurite({"run", "Weather Planning Workflow", "Oslo", "--config", kExampleProject}, demo_env(false));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_TRUE(contains(plain.err, "[Weather Reporter] answer: ")) << plain.err;
  EXPECT_TRUE(contains(plain.err, "[Planner] answer: ")) << plain.err;
  const auto streamed =
      run_aurite({"run", "Weather Planning Workflow", "Oslo", "--stream", "--config", kExampleProject}, demo_env(false));
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_FALSE(contains(streamed.err, "] answer: ")) << streamed.err;  // the answers are on stdout as they come
}

TEST_F(RunCommand, AnOptionalDatabaseThatIsDownIsTriedAndWarnedAboutOnce) {
  auto env = demo_env();
  env.env["AURITE_DB_URL"] = "postgresql://aurite:pw@127.0.0.1:1/aurite";
  env.env["AURITE_DB_OPTIONAL"] = "true";
  env.unset_env = {"AURITE_DB_TYPE"};
  const auto result = run_aurite({"run", "Planner", "hello", "--config", kExampleProject}, env);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string warning = "continuing without a database";
  ASSERT_TRUE(contains(result.err, warning)) << result.err;
  EXPECT_EQ(result.err.find(warning), result.err.rfind(warning)) << result.err;
}

}  // namespace
}  // namespace aurite::cli
