// `aurite tools` and `aurite call-tool` run as the user runs them: a subprocess.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mcp/mcp_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_aurite;
using testing::TempDir;
using Json = nlohmann::json;

class mcp_cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const Json project = {
        {"name", "cli test"},
        {"clients",
         {{{"client_id", "weather_server"},
           {"command", testing::example_server_path("aurite-example-weather-server").string()},
           {"env", {{"AURITE_EXAMPLE_FIXED_TIME", "2026-03-01T12:00:00Z"}}}},
          {{"client_id", "tester"}, {"command", testing::test_server_path().string()}, {"exclude", {"crash"}}},
          {{"client_id", "impatient"}, {"command", testing::test_server_path().string()}, {"timeout", 1.0}},
          {{"client_id", "broken"}, {"command", "/nonexistent/server"}},
          {{"client_id", "spare"}, {"command", "/nonexistent/spare-server"}, {"optional", true}}}},
        {"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
        {"agents",
         {{{"name", "Weather Agent"}, {"client_ids", {"weather_server"}}, {"llm_config_id", "offline"},
           {"exclude_components", {"current_time"}}},
          {{"name", "Broken Agent"}, {"client_ids", {"broken"}}, {"llm_config_id", "offline"}},
          {{"name", "Sparing Agent"}, {"client_ids", {"weather_server", "spare"}}, {"llm_config_id", "offline"},
           {"exclude_components", {"current_time"}}}}}};
    config_ = dir_.write("aurite_config.json", project.dump(2));
  }

  testing::ProcessResult aurite(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config_.string()});
    return run_aurite(args);
  }

  TempDir dir_;
  std::filesystem::path config_;
};

TEST_F(mcp_cli, ToolsForAnAgentShowsOnlyWhatItSees) {
  const auto result = aurite({"tools", "--agent", "Weather Agent"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("TOOL"));
  EXPECT_THAT(result.out, HasSubstr("CLIENT"));
  EXPECT_THAT(result.out, HasSubstr("DESCRIPTION"));
  EXPECT_THAT(result.out, HasSubstr("weather_lookup"));
  EXPECT_THAT(result.out, Not(HasSubstr("current_time")));
  EXPECT_THAT(result.out, Not(HasSubstr("echo")));
}

TEST_F(mcp_cli, ToolsForAClientAsJson) {
  const auto result = aurite({"tools", "--client", "tester", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json tools = Json::parse(result.out);
  ASSERT_TRUE(tools.is_array());
  EXPECT_EQ(tools.size(), testing::kTestServerTools.size() - 1);  // minus the excluded crash
  for (const auto& tool : tools) {
    EXPECT_EQ(tool["client_id"], "tester");
    EXPECT_NE(tool["name"], "crash");
    EXPECT_TRUE(tool.contains("inputSchema"));
  }
}

TEST_F(mcp_cli, CallToolPrintsTheResult) {
  const auto result = aurite({"call-tool", "current_time", "--client", "weather_server", "--args", R"({"timezone":"UTC"})"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Current time in UTC: 2026-03-01T12:00:00+00:00\n");
  const auto json = aurite({"call-tool", "weather_lookup", "--agent", "Weather Agent", "--args", R"({"location":"Oslo"})", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json body = Json::parse(json.out);
  EXPECT_EQ(body["isError"], false);
  EXPECT_EQ(body["structuredContent"]["location"], "Oslo");
}

TEST_F(mcp_cli, BadArgsJsonIsAUsageError) {
  const auto result = aurite({"call-tool", "echo", "--client", "tester", "--args", "{not json"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--args"));
  EXPECT_EQ(aurite({"call-tool", "echo", "--client", "tester", "--args", "[1,2]"}).exit_code, 2);
}

TEST_F(mcp_cli, ServerFailuresExitWithOneNamingTheClient) {
  const auto timeout = aurite({"call-tool", "sleep", "--client", "impatient", "--args", R"({"ms":5000})"});
  EXPECT_EQ(timeout.exit_code, 1);
  EXPECT_THAT(timeout.err, HasSubstr("impatient"));
  EXPECT_THAT(timeout.err, HasSubstr("no answer"));
  const auto unavailable = aurite({"tools", "--agent", "Broken Agent"});
  EXPECT_EQ(unavailable.exit_code, 1);
  EXPECT_THAT(unavailable.err, HasSubstr("broken"));
  const auto tool_error = aurite({"call-tool", "fail", "--client", "tester"});
  EXPECT_EQ(tool_error.exit_code, 1);
  EXPECT_THAT(tool_error.out, HasSubstr("the tool failed"));
}

TEST_F(mcp_cli, ToolsOfHealthyClientsAreListedWithOneErrorLinePerBrokenClient) {
  const auto result = aurite({"tools", "--agent", "Sparing Agent"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("weather_lookup"));
  EXPECT_THAT(result.err, HasSubstr("error: MCP client 'spare'"));
  EXPECT_THAT(result.err, Not(HasSubstr("'broken'")));
}

TEST_F(mcp_cli, ARunWhoseClientCannotStartFailsNamingTheClient) {
  const auto result = aurite({"run", "Broken Agent", "hello"});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.err, HasSubstr("agent 'Broken Agent' cannot run without MCP client 'broken'"));
  EXPECT_THAT(result.err, HasSubstr("/nonexistent/server"));
  EXPECT_THAT(result.err, HasSubstr("\"optional\": true"));
}

TEST_F(mcp_cli, AnOptionalClientThatCannotStartIsReportedAndTheRunGoesOn) {
  const auto result = aurite({"run", "Sparing Agent", "Weather in Oslo?", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json run = Json::parse(result.out);
  EXPECT_EQ(run["status"], "completed");
  EXPECT_EQ(run["tool_calls"][0]["name"], "weather_lookup");
  ASSERT_EQ(run["unavailable_clients"].size(), 1u) << run.dump();
  EXPECT_EQ(run["unavailable_clients"][0]["client_id"], "spare");
}

TEST_F(mcp_cli, AMistypedToolNameSuggestsTheClosestTool) {
  const auto result = aurite({"call-tool", "weather_lookpu", "--client", "weather_server"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("(did you mean 'weather_lookup'?)"));
}

TEST_F(mcp_cli, AnUnknownToolIsAUsageError) {
  const auto result = aurite({"call-tool", "no_such_tool", "--client", "tester"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("no_such_tool"));
}

}  // namespace
}  // namespace aurite::mcp
