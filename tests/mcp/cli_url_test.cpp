// `aurite tools --url` and `aurite call-tool --url`: a remote server with no project file,
// as the user runs them (a subprocess), and a url client's headers masked where shown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mcp/http_fault_server.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/child_process.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_aurite;
using Json = nlohmann::json;

TEST(mcp_cli_url, ToolsAndCallToolNeedNoProjectFile) {
  testing::HttpFaultServer server;
  testing::TempDir empty;  // no aurite_config.json anywhere here
  testing::ProcessOptions in_empty;
  in_empty.working_dir = empty.path().string();
  const auto tools = run_aurite({"tools", "--url", server.url()}, in_empty);
  EXPECT_EQ(tools.exit_code, 0) << tools.err;
  EXPECT_THAT(tools.out, HasSubstr("echo"));
  EXPECT_THAT(tools.out, HasSubstr("2025-11-25"));
  EXPECT_THAT(tools.out, HasSubstr("http"));
  const auto call = run_aurite({"--json", "call-tool", "echo", "--args", R"({"text":"from the cli"})", "--url", server.url()},
                               in_empty);
  EXPECT_EQ(call.exit_code, 0) << call.err;
  EXPECT_THAT(call.out, HasSubstr("echo: from the cli"));
}

TEST(mcp_cli_url, HeadersGoToTheServerAndARefusalExitsOneWithoutTheToken) {
  testing::HttpFaultServer server;
  server.require_authorization("Bearer right-token-123");
  const auto good = run_aurite({"call-tool", "echo", "--url", server.url(), "--header", "Authorization: Bearer right-token-123"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  const auto bad = run_aurite({"call-tool", "echo", "--url", server.url(), "--header", "Authorization: Bearer wrong-token-456"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("401"));
  EXPECT_THAT(bad.err, HasSubstr(server.url()));
  EXPECT_THAT(bad.err + bad.out, Not(HasSubstr("wrong-token-456")));
}

TEST(mcp_cli_url, UsageErrorsExitTwoNamingTheFlag) {
  const auto scheme = run_aurite({"tools", "--url", "ftp://example.com/mcp"});
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_THAT(scheme.err, HasSubstr("--url"));
  const auto header = run_aurite({"tools", "--url", "http://127.0.0.1:9/mcp", "--header", "no colon here"});
  EXPECT_EQ(header.exit_code, 2);
  EXPECT_THAT(header.err, HasSubstr("--header"));
  const auto reserved = run_aurite({"tools", "--url", "http://127.0.0.1:9/mcp", "--header", "Mcp-Session-Id: x"});
  EXPECT_EQ(reserved.exit_code, 2);
  EXPECT_THAT(reserved.err, HasSubstr("--header Mcp-Session-Id"));
  const auto mixed = run_aurite({"tools", "--url", "http://127.0.0.1:9/mcp", "--client", "x"});
  EXPECT_EQ(mixed.exit_code, 2);
}

TEST(mcp_cli_url, ShowAndListMaskHeaderValuesWrittenOut) {
  testing::TempDir dir;
  const Json project = {{"clients",
                         {{{"client_id", "remote"},
                           {"url", "https://mcp.example.com/mcp"},
                           {"headers", {{"Authorization", "Bearer literal-secret-789"}, {"X-Key", "${SOME_TOKEN}"}}}}}}};
  const auto config = dir.write("aurite_config.json", project.dump(2));
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"show", "remote"}, {"--json", "show", "remote"}, {"--json", "list", "clients"}}) {
    std::vector<std::string> args = {"--config", config.string()};
    args.insert(args.end(), command.begin(), command.end());
    const auto shown = run_aurite(args);
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_THAT(shown.out, Not(HasSubstr("literal-secret-789"))) << command.back();
    EXPECT_THAT(shown.out, HasSubstr("********"));
    EXPECT_THAT(shown.out, HasSubstr("${SOME_TOKEN}")) << "a reference holds no secret";
  }
}

// A project whose agent's tools are on a remote server: the weather server over HTTP.
TEST(mcp_cli_url, AnAgentRunsWithAClientThatHasAUrl) {
  int port = 0;
  {
    testing::HttpFaultServer probe;  // a port that was free a moment ago
    port = std::stoi(probe.url().substr(std::string("http://127.0.0.1:").size()));
  }
  testing::ChildProcess weather({testing::example_server_path("aurite-example-weather-server").string(), "--http",
                                 "127.0.0.1:" + std::to_string(port)},
                                {});
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
  ASSERT_TRUE(testing::wait_until([&] { return run_aurite({"tools", "--url", url}).exit_code == 0; },
                                  std::chrono::seconds(20)))
      << "the weather server did not serve " << url;
  testing::TempDir dir;
  const Json project = {
      {"clients", {{{"client_id", "remote_weather"}, {"url", url}}}},
      {"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
      {"agents", {{{"name", "Remote Agent"}, {"client_ids", {"remote_weather"}}, {"llm_config_id", "offline"},
                   {"exclude_components", {"current_time"}}}}}};
  const auto config = dir.write("aurite_config.json", project.dump(2));
  const auto run = run_aurite({"--config", config.string(), "--json", "run", "Remote Agent", "What is the weather in Oslo?"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json result = Json::parse(run.out);
  EXPECT_THAT(result.dump(), HasSubstr("weather_lookup"));
  EXPECT_THAT(result.dump(), HasSubstr("Weather in"));
  const auto tools = run_aurite({"--config", config.string(), "tools"});
  EXPECT_EQ(tools.exit_code, 0) << tools.err;
  EXPECT_THAT(tools.out, HasSubstr("2026-07-28")) << "our server library speaks the stateless revision";
}

}  // namespace
}  // namespace aurite::mcp
