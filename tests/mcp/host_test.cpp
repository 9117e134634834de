// McpHost: the registry across clients, filtering for agents, tool results.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::test_client;
using testing::wait_until;

const std::size_t kFixed = testing::kTestServerTools.size();

std::vector<std::string> names(const std::vector<ToolInfo>& tools) {
  std::vector<std::string> out;
  for (const auto& t : tools) out.push_back(t.name);
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

config::AgentConfig agent(std::vector<std::string> client_ids, std::vector<std::string> exclude = {}) {
  config::AgentConfig a;
  a.name = "tester";
  a.client_ids = std::move(client_ids);
  a.exclude_components = std::move(exclude);
  return a;
}

TEST(mcp_host, ListsEveryToolOfEveryClientAcrossPages) {
  McpHost host({test_client("paged", {"--tools", "40", "--page-size", "7"}),
                test_client("other", {"--prefix", "o_"})}, {});
  host.start();
  const auto tools = host.tools();
  EXPECT_EQ(tools.size(), 40u + 2 * kFixed);
  const auto list = names(tools);
  EXPECT_TRUE(has(list, "tool_0") && has(list, "tool_39") && has(list, "o_echo"));
  const auto echo = host.find_tool("o_echo");
  ASSERT_TRUE(echo.has_value());
  EXPECT_EQ(echo->client_id, "other");
  EXPECT_EQ(echo->description, "Returns its text argument.");
  EXPECT_EQ(echo->input_schema["type"], "object");
}

// Aurite 0.4's registration_timeout: a server slow to start gets that long for the
// handshake, while each request after it keeps the client's own timeout.
TEST(mcp_host, ASlowStartingServerGetsTheRegistrationTimeoutForItsHandshake) {
  config::ClientConfig slow = test_client("slow", {"--start-delay-ms", "1500"});
  slow.timeout = 0.5;
  {
    McpHost host({slow}, {});
    try {
      host.start();
      FAIL() << "a 1.5 s start within a 0.5 s timeout";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kTimeout) << error.what();
    }
  }
  slow.registration_timeout = 30;
  McpHost host({slow}, {});
  host.start();
  EXPECT_EQ(host.tools().size(), kFixed);
}

TEST(mcp_host, AToolNameOfferedByTwoClientsIsAStartupErrorNamingBoth) {
  McpHost host({test_client("first"), test_client("second")}, {});
  try {
    host.start();
    FAIL() << "a tool name clash was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("first"));
    EXPECT_THAT(error.what(), HasSubstr("second"));
  }
}

TEST(mcp_host, AClientExcludeHidesToolsFromEveryoneAndCanResolveAClash) {
  auto first = test_client("first");
  auto second = test_client("second", {"--tools", "2"});
  second.exclude = testing::kTestServerTools;
  McpHost host({first, second}, {});
  host.start();
  const auto list = names(host.tools());
  EXPECT_EQ(list.size(), kFixed + 2);
  EXPECT_EQ(host.find_tool("echo")->client_id, "first");
  EXPECT_EQ(host.find_tool("tool_1")->client_id, "second");
  EXPECT_TRUE(names(host.tools_for(agent({"second"}))) == (std::vector<std::string>{"tool_0", "tool_1"}));
}

TEST(mcp_host, AnAgentSeesOnlyItsClientsMinusItsExcludedComponents) {
  auto weather = test_client("weather", {"--prefix", "w_"});
  weather.exclude = {"w_crash"};
  McpHost host({weather, test_client("plans", {"--prefix", "p_"})}, {});
  host.start();
  const auto only_weather = names(host.tools_for(agent({"weather"}, {"w_echo"})));
  EXPECT_EQ(only_weather.size(), kFixed - 2);
  EXPECT_FALSE(has(only_weather, "w_echo"));   // the agent's exclude_components
  EXPECT_FALSE(has(only_weather, "w_crash"));  // the client's exclude
  EXPECT_FALSE(has(only_weather, "p_pid"));    // not one of its clients
  EXPECT_TRUE(has(only_weather, "w_pid"));
  EXPECT_EQ(host.tools_for(agent({"weather", "plans"})).size(), (kFixed - 1) + kFixed);
  EXPECT_TRUE(host.tools_for(agent({})).empty());
  EXPECT_TRUE(host.tools_for(agent({"not_configured"})).empty());
}

TEST(mcp_host, AnAgentsFirstUseStartsOnlyItsOwnClients) {
  config::ClientConfig broken;
  broken.client_id = "broken";
  broken.command = "/nonexistent/aurite-server";
  McpHost host({test_client("good"), broken}, std::filesystem::current_path());  // no start()
  config::AgentConfig agent;
  agent.name = "a";
  agent.client_ids = {"good"};
  const auto tools = host.tools_for(agent);
  EXPECT_FALSE(tools.empty());
  EXPECT_EQ(host.call_tool("echo", {{"text", "hi"}}, &agent).text(), "hi");
  // The broken client was never started for this agent, so nothing failed.
  EXPECT_EQ(testing::child_processes().size(), 1u);
}

TEST(mcp_host, CallingAToolHiddenFromTheCallerIsNotFound) {
  auto client = test_client("hidden");
  client.exclude = {"pid"};
  McpHost host({client}, {});
  host.start();
  const auto expect_not_found = [&](const std::string& name, const config::AgentConfig* a) {
    try {
      host.call_tool(name, Json::object(), a);
      ADD_FAILURE() << name << " was callable";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kNotFound);
      EXPECT_THAT(error.what(), HasSubstr(name));
    }
  };
  expect_not_found("pid", nullptr);
  expect_not_found("no_such_tool", nullptr);
  const auto restricted = agent({"hidden"}, {"echo"});
  expect_not_found("echo", &restricted);
  const auto outsider = agent({"elsewhere"});
  expect_not_found("fail", &outsider);
  EXPECT_EQ(host.call_tool("echo", {{"text", "ok"}}, nullptr).text(), "ok");
}

TEST(mcp_host, ReturnsEveryContentTypeAsTheServerSentIt) {
  McpHost host({test_client("rich")}, {});
  host.start();
  const ToolResult result = host.call_tool("content", Json::object());
  EXPECT_FALSE(result.is_error);
  EXPECT_FALSE(result.failure.has_value());
  std::vector<std::string> types;
  for (const auto& block : result.content) types.push_back(block["type"]);
  EXPECT_THAT(types, ElementsAre("text", "image", "audio", "resource", "resource_link"));
  EXPECT_EQ(result.content[1]["mimeType"], "image/png");
  EXPECT_FALSE(result.content[1]["data"].get<std::string>().empty());
  EXPECT_EQ(result.content[2]["mimeType"], "audio/wav");
  EXPECT_EQ(result.content[3]["resource"]["text"], "embedded");
  EXPECT_EQ(result.content[4]["uri"], "test://linked");
  EXPECT_EQ(result.text(), "plain text");
}

TEST(mcp_host, AToolErrorIsAResultWithIsErrorAndNoFailure) {
  McpHost host({test_client("failing")}, {});
  host.start();
  const ToolResult result = host.call_tool("fail", Json::object());
  EXPECT_TRUE(result.is_error);
  EXPECT_FALSE(result.failure.has_value());
  EXPECT_EQ(result.text(), "the tool failed");
  EXPECT_EQ(result.to_json()["isError"], true);
}

TEST(mcp_host, KeepsStructuredContent) {
  McpHost host({test_client("structured")}, {});
  host.start();
  const ToolResult result = host.call_tool("structured", {{"k", "v"}});
  ASSERT_TRUE(result.structured_content.has_value());
  EXPECT_EQ((*result.structured_content)["value"], 42);
  EXPECT_EQ((*result.structured_content)["echo"]["k"], "v");
  EXPECT_EQ(result.to_json()["structuredContent"]["value"], 42);
}

TEST(mcp_host, ToolListChangedRefreshesTheRegistry) {
  McpHost host({test_client("growing")}, {});
  host.start();
  EXPECT_FALSE(host.find_tool("fresh_tool").has_value());
  EXPECT_EQ(host.call_tool("add_tool", {{"name", "fresh_tool"}}).text(), "added");
  ASSERT_TRUE(wait_until([&] { return host.find_tool("fresh_tool").has_value(); }));
  EXPECT_EQ(host.call_tool("fresh_tool", Json::object()).text(), "added tool");
}

TEST(mcp_host, RelativeServerPathResolvesAgainstTheBaseFolder) {
  const auto server = testing::test_server_path();
  config::ClientConfig client;
  client.client_id = "relative";
  client.server_path = server.filename().string();
  McpHost host({client}, server.parent_path());
  host.start();
  EXPECT_EQ(host.call_tool("echo", {{"text", "found"}}).text(), "found");
}

TEST(mcp_host, ConcurrentCallsOnOneServerAllGetTheirOwnAnswer) {
  McpHost host({test_client("shared")}, {});
  host.start();
  std::vector<std::thread> threads;
  std::vector<std::string> answers(100);
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&, i] { answers[i] = host.call_tool("echo", {{"text", std::to_string(i)}}).text(); });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(answers[i], std::to_string(i));
}

}  // namespace
}  // namespace aurite::mcp

namespace aurite::mcp {
namespace {

TEST(mcp_host, APythonServerPathRunsWithPython3) {
  config::ClientConfig client;
  client.client_id = "python";
  client.server_path = "servers/echo_server.py";  // relative to the base folder
  McpHost host({client}, std::filesystem::path(AURITE_SOURCE_DIR) / "tests/mcp");
  host.start();
  EXPECT_EQ(host.call_tool("py_echo", {{"text", "from python"}}).text(), "from python");
}

TEST(mcp_host, AServerThatCannotRestartDoesNotHideTheOtherClientsTools) {
  testing::TempDir dir;
  const auto script = dir.write("doomed.sh", "#!/bin/sh\nexec '" + testing::test_server_path().string() +
                                                 "' --prefix d_ \"$@\"\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  config::ClientConfig doomed;
  doomed.client_id = "doomed";
  doomed.command = script.string();
  McpHost host({test_client("healthy"), doomed}, {});
  host.start();
  std::filesystem::remove(script);  // from now on the server cannot be started again
  EXPECT_TRUE(host.call_tool("d_crash", Json::object()).is_error);
  EXPECT_EQ(host.call_tool("echo", {{"text", "still here"}}).text(), "still here");
  EXPECT_EQ(host.tools().size(), 2 * kFixed);  // the doomed client keeps its last list...
  const ToolResult unreachable = host.call_tool("d_echo", {{"text", "x"}});
  EXPECT_TRUE(unreachable.is_error);  // ...and calling it says why
  EXPECT_EQ(unreachable.failure, ErrorCode::kUnavailable);
  EXPECT_THAT(unreachable.text(), HasSubstr("doomed"));
}

}  // namespace
}  // namespace aurite::mcp
