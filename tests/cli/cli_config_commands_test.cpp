// validate, list, show and init, driven as a user drives them: a subprocess.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "support/bad_config_corpus.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

using testing::run_aurite;

testing::ProcessOptions with_env(const std::string& name, const std::string& value) {
  testing::ProcessOptions options;
  options.env[name] = value;
  return options;
}

testing::ProcessOptions in_dir_without_project_env(const std::filesystem::path& dir) {
  testing::ProcessOptions options;
  options.unset_env = {"PROJECT_CONFIG_PATH"};
  options.working_dir = dir.string();
  return options;
}

TEST(ValidateCommand, ExampleProjectIsValid) {
  const auto result = run_aurite({"validate", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "valid (2 clients, 3 llms, 4 agents, 1 workflow, 0 graph workflows, 1 custom workflow)")) << result.out;
}

class ValidateBadFile : public ::testing::TestWithParam<testing::BadConfigCase> {};

TEST_P(ValidateBadFile, ExitsTwoNamingFileAndEveryProblem) {
  const auto& c = GetParam();
  const auto result = run_aurite({"validate", "--config", c.file.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_TRUE(contains(result.err, c.file.string())) << result.err;
  for (const auto& expected : c.expected) EXPECT_TRUE(contains(result.err, expected)) << expected << "\n" << result.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, ValidateBadFile, ::testing::ValuesIn(testing::bad_config_corpus()),
                         [](const auto& info) { return info.param.name; });

TEST(ValidateCommand, JsonErrorListsEveryDiagnosticWithItsPath) {
  const auto file = std::string(AURITE_TEST_DATA_DIR) + "/bad/unknown_references.json";
  const auto result = run_aurite({"validate", "--config", file, "--json"});
  EXPECT_EQ(result.exit_code, 2);
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["error"]["code"], "invalid_config");
  ASSERT_EQ(json["error"]["details"].size(), 4u);
  EXPECT_EQ(json["error"]["details"][0]["path"], "agents[2].client_ids[1]");
}

TEST(ValidateCommand, ConfigPathComesFromTheEnvironmentWhenNoFlag) {
  const auto result = run_aurite({"validate"}, with_env("PROJECT_CONFIG_PATH", kExampleProject));
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST(ValidateCommand, DefaultIsAuriteConfigJsonInTheWorkingDirectory) {
  testing::TempDir dir;
  const auto missing = run_aurite({"validate"}, in_dir_without_project_env(dir.path()));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "aurite_config.json: 1 configuration error\n  no such file")) << missing.err;
  dir.write("aurite_config.json", "{}");
  const auto found = run_aurite({"validate"}, in_dir_without_project_env(dir.path()));
  EXPECT_EQ(found.exit_code, 0) << found.err;
}

TEST(ValidateCommand, UnknownKeysAreWarnedAboutOnce) {
  testing::TempDir dir;
  const auto file = dir.write("aurite_config.json", R"({
    "clients": [{"client_id": "c", "command": "x", "flavour": "mild"}],
    "agents": [{"name": "a", "provider": "test", "mood": "calm"}]
  })");
  const auto result = run_aurite({"list", "--config", file.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.err, "2 unknown keys kept as written: clients[0].flavour, agents[0].mood")) << result.err;
  EXPECT_EQ(result.err.find("unknown key"), result.err.rfind("unknown key"));
}

// A project whose agent has typos for two known keys.
std::filesystem::path typo_project(const testing::TempDir& dir) {
  return dir.write("aurite_config.json", R"({
    "llms": [{"llm_id": "offline", "provider": "test"}],
    "agents": [{"name": "Typo Agent", "llm_config_id": "offline", "sytem_prompt": "Be brief.", "temprature": 0.2}]
  })");
}

TEST(UnknownKeys, EveryCommandThatRunsTheProjectWarnsWithTheKeyItProbablyMeant) {
  testing::TempDir dir;
  const auto config = typo_project(dir).string();
  const auto run = run_aurite({"run", "Typo Agent", "hello", "--config", config});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(contains(run.err, "agents[0].sytem_prompt (did you mean 'system_prompt'?)")) << run.err;
  EXPECT_TRUE(contains(run.err, "agents[0].temprature (did you mean 'temperature'?)")) << run.err;
  const auto validate = run_aurite({"validate", "--config", config});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_TRUE(contains(validate.out, "warning: agents[0].sytem_prompt: unknown key (did you mean 'system_prompt'?)"))
      << validate.out;
}

TEST(UnknownKeys, StrictModeMakesThemErrorsOnValidateAndRun) {
  testing::TempDir dir;
  const auto config = typo_project(dir).string();
  const auto validate = run_aurite({"validate", "--strict", "--config", config});
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_TRUE(contains(validate.err, "2 configuration errors")) << validate.err;
  EXPECT_TRUE(contains(validate.err, "agents[0].temprature: unknown key (did you mean 'temperature'?)")) << validate.err;
  testing::ProcessOptions strict;
  strict.env["AURITE_STRICT_CONFIG"] = "true";
  const auto run = run_aurite({"run", "Typo Agent", "hello", "--config", config}, strict);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.err, "agents[0].sytem_prompt: unknown key (did you mean 'system_prompt'?)")) << run.err;
  const auto json = run_aurite({"validate", "--json", "--config", config});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto keys = nlohmann::json::parse(json.out)["unknown_keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["path"], "agents[0].sytem_prompt");
  EXPECT_EQ(keys[0]["suggestion"], "system_prompt");
}

TEST(ListCommand, ShowsEveryKindAsTables) {
  const auto result = run_aurite({"list", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (const char* part : {"Clients:", "weather_server", "LLMs:", "Agents:", "Weather Planning Agent",
                           "Workflows:", "Weather Reporter -> Planner", "Custom workflows:", "ExampleCustomWorkflow"}) {
    EXPECT_TRUE(contains(result.out, part)) << part << "\n" << result.out;
  }
}

TEST(ListCommand, OneKindAsJson) {
  const auto result = run_aurite({"list", "agents", "--json", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto agents = nlohmann::json::parse(result.out);
  ASSERT_EQ(agents.size(), 4u);
  EXPECT_EQ(agents[0]["name"], "Weather Agent");
  EXPECT_EQ(agents[0]["temperature"], 0.7);  // "0.7" in the file
  EXPECT_EQ(agents[0]["include_history"], true);
}

TEST(ListCommand, UnknownKindIsAUsageError) {
  const auto result = run_aurite({"list", "robots", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "robots")) << result.err;
}

TEST(ShowCommand, PrintsOneComponent) {
  const auto result = run_aurite({"show", "Weather Planning Workflow", "--json", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["kind"], "workflow");
  EXPECT_EQ(json["config"]["steps"][1], "Planner");
}

TEST(ShowCommand, UnknownNameExitsTwo) {
  const auto result = run_aurite({"show", "Nobody", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "no client, llm, agent or workflow named 'Nobody'")) << result.err;
}

TEST(InitCommand, WritesAProjectThatValidates) {
  testing::TempDir dir;
  const auto project = (dir / "new-project").string();
  const auto init = run_aurite({"init", project});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  const auto validate = run_aurite({"validate", "--config", project + "/aurite_config.json"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  const auto again = run_aurite({"init", project});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.err, "already exists")) << again.err;
  EXPECT_EQ(run_aurite({"init", project, "--force"}).exit_code, 0);
}

TEST(InitCommand, PrintsNextStepsThatRunAsPrinted) {
  testing::TempDir dir;
  const auto project = (dir / "my project").string();
  const auto init = run_aurite({"init", project});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string config = "'" + project + "/aurite_config.json'";  // quoted: the folder has a space
  EXPECT_TRUE(contains(init.out, "  aurite run assistant \"Hello\" --config " + config)) << init.out;
  EXPECT_TRUE(contains(init.out, "  aurite chat assistant --config " + config)) << init.out;
  const auto run = run_aurite({"run", "assistant", "Hello", "--config", project + "/aurite_config.json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(contains(run.out, "You said: Hello")) << run.out;
}

}  // namespace
}  // namespace aurite::cli
