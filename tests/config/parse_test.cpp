// Reading project files: leniency of the original files, older key names, unknown keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/config/json_codec.hpp"
#include "aurite/config/project_file.hpp"
#include "support/temp_dir.hpp"

namespace aurite::config {
namespace {

const std::filesystem::path kAuriteEraFile = std::filesystem::path(AURITE_TEST_DATA_DIR) / "good/aurite_era_project.json";

TEST(AuriteEraProject, StringTypedNumbersAndBooleansAreCoerced) {
  const auto loaded = load_project_file(kAuriteEraFile);
  const auto& agent = loaded.project.agents.at(0);
  EXPECT_EQ(agent.name, "Weather Agent");
  EXPECT_DOUBLE_EQ(*agent.temperature, 0.7);
  EXPECT_EQ(*agent.max_tokens, 4096);
  EXPECT_EQ(agent.include_history, true);
  EXPECT_EQ(loaded.project.agents.at(1).include_history, false);
  EXPECT_EQ(*loaded.project.agents.at(1).max_iterations, 5);
  EXPECT_EQ(loaded.project.agents.at(3).include_history, true);
  EXPECT_DOUBLE_EQ(*loaded.project.clients.at(1).timeout, 15.0);
}

TEST(AuriteEraProject, OlderKeyNamesReadAsCurrentOnes) {
  const auto project = load_project_file(kAuriteEraFile).project;
  ASSERT_EQ(project.workflows.size(), 1u);  // simple_workflows
  EXPECT_EQ(project.workflows[0].steps, (std::vector<config::WorkflowStep>{"Step 1", "Step 2"}));
  ASSERT_EQ(project.llms.size(), 1u);  // llm_configs
  EXPECT_EQ(project.llms[0].model, "claude-3-haiku-20240307");  // model_name
  EXPECT_EQ(project.llms[0].api_key_env, "ANTHROPIC_API_KEY");  // api_key_env_var
  ASSERT_TRUE(project.agents[0].schema.has_value());            // config_validation_schema
  EXPECT_EQ((*project.agents[0].schema)["required"][0], "weather_summary");
}

// Fields Aurite has and nothing here uses are kept as written, not taken for typos.
TEST(AuriteEraProject, AuriteFieldsNotUsedHereAreKeptAsWritten) {
  const auto loaded = load_project_file(kAuriteEraFile);
  EXPECT_TRUE(loaded.unknown_keys.empty());
  EXPECT_EQ(loaded.project.agents[1].extra["evaluation"], "planning_agent_multiple.json");
  EXPECT_EQ(loaded.project.clients[1].transport_type, "stdio");
  EXPECT_EQ(to_json(loaded.project.clients[1])["transport_type"], "stdio");
}

TEST(ProjectFile, ATypoOfAKnownKeyNamesTheKeyItProbablyMeant) {
  const auto loaded = parse_project_text(R"({
    "clinets": [],
    "agents": [{"name": "A", "sytem_prompt": "hi", "temprature": 0.5, "zzz_custom": 1}]
  })", "typos.json", "/tmp");
  EXPECT_EQ(loaded.unknown_keys, (std::vector<UnknownKey>{{"agents[0].sytem_prompt", "system_prompt"},
                                                          {"agents[0].temprature", "temperature"},
                                                          {"agents[0].zzz_custom", ""},
                                                          {"clinets", "clients"}}));
  EXPECT_EQ(describe(loaded.unknown_keys[0]), "unknown key (did you mean 'system_prompt'?)");
  EXPECT_EQ(describe(loaded.unknown_keys[2]), "unknown key");
}

TEST(ProjectFile, AnLlmsPricingIsReadCheckedAndWrittenBack) {
  const auto loaded = parse_project_text(R"({"llms": [
    {"llm_id": "claude", "provider": "anthropic", "model": "claude-x",
     "pricing": {"input_per_mtok": 3, "output_per_mtok": 15, "cache_read_per_mtok": 0.3}}]})",
                                         "pricing.json", "/tmp");
  const auto& pricing = loaded.project.llms.at(0).pricing;
  ASSERT_TRUE(pricing);
  EXPECT_EQ(*pricing, (Pricing{3.0, 15.0, 0.3, std::nullopt}));
  // Cache writes default to the input rate.
  EXPECT_NEAR(pricing->cost_usd(1'000'000, 100'000, 10'000, 20'000), 3.0 + 1.5 + 0.003 + 0.06, 1e-12);
  EXPECT_EQ(to_json(loaded.project.llms[0])["pricing"],
            (Json{{"input_per_mtok", 3.0}, {"output_per_mtok", 15.0}, {"cache_read_per_mtok", 0.3}}));
  try {
    parse_project_text(R"({"llms": [
      {"llm_id": "a", "provider": "anthropic", "model": "m", "pricing": {"input_per_mtok": 3}},
      {"llm_id": "b", "provider": "anthropic", "model": "m", "pricing": {"input_per_mtok": 1, "output_per_mtok": "x"}},
      {"llm_id": "c", "provider": "anthropic", "model": "m", "pricing": 5}]})",
                       "pricing.json", "/tmp");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    std::vector<std::string> paths;
    for (const auto& d : error.diagnostics()) paths.push_back(d.path);
    EXPECT_THAT(paths, ::testing::UnorderedElementsAre("llms[0].pricing.output_per_mtok", "llms[1].pricing.output_per_mtok",
                                                       "llms[2].pricing"));
  }
}

TEST(ProjectFile, RequireApprovalIsABooleanDestructiveOrAListOfToolNames) {
  const auto loaded = parse_project_text(R"({"clients": [
    {"client_id": "a", "command": "x", "require_approval": true},
    {"client_id": "b", "command": "x", "require_approval": "destructive"},
    {"client_id": "c", "command": "x", "require_approval": ["send_*", "delete_file"]},
    {"client_id": "d", "command": "x", "require_approval": false}],
    "agents": [{"name": "A", "require_approval": ["pay"]}, {"name": "B"}]})", "approval.json", "/tmp");
  using Mode = ApprovalRule::Mode;
  EXPECT_EQ(loaded.project.clients[0].require_approval, (ApprovalRule{Mode::kAll, {}}));
  EXPECT_EQ(loaded.project.clients[1].require_approval, (ApprovalRule{Mode::kDestructive, {}}));
  EXPECT_EQ(loaded.project.clients[2].require_approval, (ApprovalRule{Mode::kTools, {"send_*", "delete_file"}}));
  EXPECT_EQ(loaded.project.clients[3].require_approval, (ApprovalRule{Mode::kNone, {}}));
  EXPECT_EQ(loaded.project.agents[0].require_approval, (ApprovalRule{Mode::kTools, {"pay"}}));
  EXPECT_EQ(loaded.project.agents[1].require_approval, std::nullopt);
  EXPECT_EQ(to_json(loaded.project.clients[0])["require_approval"], true);
  EXPECT_EQ(to_json(loaded.project.clients[1])["require_approval"], "destructive");
  EXPECT_EQ(to_json(loaded.project.clients[2])["require_approval"], Json::array({"send_*", "delete_file"}));
  EXPECT_EQ(to_json(loaded.project.clients[3])["require_approval"], false);
  EXPECT_FALSE(to_json(loaded.project.agents[1]).contains("require_approval"));
  try {
    parse_project_text(R"({"clients": [{"client_id": "a", "command": "x", "require_approval": "always"},
                                       {"client_id": "b", "command": "x", "require_approval": ["ok", ""]},
                                       {"client_id": "c", "command": "x", "require_approval": 1}],
                          "agents": [{"name": "A", "require_approval": [3]}]})",
                       "approval.json", "/tmp");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    std::vector<std::string> paths;
    for (const auto& d : error.diagnostics()) paths.push_back(d.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"clients[0].require_approval", "clients[1].require_approval[1]",
                                               "clients[2].require_approval", "agents[0].require_approval[0]"}))
        << error.what();
    EXPECT_THAT(error.what(), ::testing::HasSubstr("must be true, false, \"destructive\" or a list of tool names (got \"always\")"));
  }
}

TEST(ProjectFile, InheritEnvIsTrueOrAListOfVariableNames) {
  const auto listed = parse_project_text(R"({"clients": [
    {"client_id": "a", "command": "x", "inherit_env": ["GITHUB_TOKEN"], "optional": true},
    {"client_id": "b", "command": "x", "inherit_env": true}]})", "env.json", "/tmp");
  EXPECT_EQ(listed.project.clients[0].inherit_env.names, (std::vector<std::string>{"GITHUB_TOKEN"}));
  EXPECT_FALSE(listed.project.clients[0].inherit_env.all);
  EXPECT_EQ(listed.project.clients[0].optional, true);
  EXPECT_TRUE(listed.project.clients[1].inherit_env.all);
  EXPECT_EQ(to_json(listed.project.clients[0])["inherit_env"], Json::array({"GITHUB_TOKEN"}));
  EXPECT_EQ(to_json(listed.project.clients[1])["inherit_env"], true);
  try {
    parse_project_text(R"({"clients": [{"client_id": "a", "command": "x", "inherit_env": {"all": 1},
                                         "env": {"BAD-NAME": "v"}},
                                        {"client_id": "b", "command": "x", "inherit_env": ["OK", "not ok"]}]})",
                       "env.json", "/tmp");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    std::vector<std::string> paths;
    for (const auto& d : error.diagnostics()) paths.push_back(d.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"clients[0].inherit_env", "clients[1].inherit_env[1]"})) << error.what();
  }
  try {
    parse_project_text(R"({"clients": [{"client_id": "a", "command": "x", "env": {"BAD-NAME": "v"}}]})", "env.json", "/tmp");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u) << error.what();
    EXPECT_EQ(error.diagnostics()[0].path, "clients[0].env[\"BAD-NAME\"]");
  }
}

TEST(AuriteEraProject, NullMeansAbsent) {
  const auto project = load_project_file(kAuriteEraFile).project;
  EXPECT_TRUE(project.clients[0].exclude.empty());
  EXPECT_FALSE(to_json(project.clients[0]).contains("exclude"));
}

TEST(ProjectFile, BaseDirIsTheFilesFolder) {
  const auto project = load_project_file(kAuriteEraFile).project;
  EXPECT_EQ(project.base_dir, std::filesystem::path(AURITE_TEST_DATA_DIR) / "good");
  EXPECT_EQ(resolve_path(project.base_dir, *project.clients[0].server_path),
            std::filesystem::path(AURITE_TEST_DATA_DIR) / "good/servers/weather_mcp_server.py");
  EXPECT_EQ(resolve_path(project.base_dir, "/abs/server"), std::filesystem::path("/abs/server"));
  EXPECT_EQ(resolve_path(project.base_dir, "../up/x.so"), std::filesystem::path(AURITE_TEST_DATA_DIR) / "up/x.so");
}

TEST(ProjectFile, RelativePathIsResolvedAgainstTheFileNotTheWorkingDirectory) {
  testing::TempDir dir;
  const auto file = dir.write("nested/project.json",
                              R"({"clients": [{"client_id": "c", "server_path": "bin/server"}]})");
  const auto project = load_project_file(file).project;
  EXPECT_EQ(resolve_path(project.base_dir, *project.clients[0].server_path), dir.path() / "nested/bin/server");
}

TEST(ParseAgent, ReportsEveryFieldErrorOfOneBody) {
  ParseReport report;
  parse_agent(Json::parse(R"({"name": "a", "max_tokens": true, "client_ids": [1, "ok", null]})"), "", report);
  ASSERT_EQ(report.errors.size(), 3u);
  EXPECT_EQ(report.errors[0].path, "client_ids[0]");
  EXPECT_EQ(report.errors[1].path, "client_ids[2]");
  EXPECT_EQ(report.errors[2].path, "max_tokens");
}

TEST(ParseAgent, KeysThatAreNotIdentifiersArePathQuoted) {
  ParseReport report;
  parse_client(Json::parse(R"({"client_id": "c", "command": "x", "env": {"MY VAR": []}})"), "clients[0]", report);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].path, R"(clients[0].env["MY VAR"])");
}

TEST(ParseClient, EnvNumbersBecomeText) {
  ParseReport report;
  const auto client = parse_client(Json::parse(R"({"client_id": "c", "command": "x", "env": {"PORT": 8080}})"), "", report);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(client.env.at("PORT"), "8080");
}

}  // namespace
}  // namespace aurite::config
