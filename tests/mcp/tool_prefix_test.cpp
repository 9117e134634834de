// Tool names across clients: a client's tool_prefix and an agent's prefix_tool_names let
// two instances of one server be used side by side, each call reaching its own server
// under the tool's own name; a clash without a prefix stays an error naming both clients.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using testing::test_client;

std::vector<std::string> tool_names(const std::vector<ToolInfo>& tools) {
  std::vector<std::string> out;
  for (const auto& t : tools) out.push_back(t.name);
  return out;
}

config::ClientConfig prefixed(const std::string& id, const std::string& prefix) {
  auto client = test_client(id);
  client.tool_prefix = prefix;
  return client;
}

config::AgentConfig prefixing_agent(std::vector<std::string> client_ids, bool prefix = true) {
  config::AgentConfig a;
  a.name = "Both";
  a.client_ids = std::move(client_ids);
  a.prefix_tool_names = prefix;
  return a;
}

// The pid tool answers its server's process id: which server a call reached.
std::string pid_of(McpHost& host, const std::string& tool, const config::AgentConfig* agent = nullptr) {
  const ToolResult result = host.call_tool(tool, Json::object(), agent);
  EXPECT_FALSE(result.is_error) << result.text();
  return result.text();
}

TEST(mcp_tool_prefix, TwoInstancesOfOneServerWithPrefixesAreBothCallable) {
  McpHost host({prefixed("left", "l_"), prefixed("right", "r-")}, {});
  host.start();
  const auto names = tool_names(host.tools());
  EXPECT_THAT(names, ::testing::Contains("l_echo"));
  EXPECT_THAT(names, ::testing::Contains("r-echo"));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("echo")));
  const auto echo = host.find_tool("r-echo");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->client_id, "right");
  EXPECT_EQ(echo->server_name, "echo");

  EXPECT_EQ(host.call_tool("l_echo", {{"text", "to the left"}}).text(), "to the left");
  const std::string left = pid_of(host, "l_pid");
  const std::string right = pid_of(host, "r-pid");
  EXPECT_NE(left, right) << "each call reaches its own server";
  EXPECT_EQ(pid_of(host, "l_pid"), left);
  EXPECT_THROW(host.call_tool("echo", Json::object()), Error);
}

TEST(mcp_tool_prefix, AnAgentWithPrefixToolNamesSeesClientIdPrefixes) {
  McpHost host({test_client("first"), test_client("second")}, {});
  const auto both = prefixing_agent({"first", "second"});
  const auto names = tool_names(host.tools_for(both));
  EXPECT_THAT(names, ::testing::Contains("first_echo"));
  EXPECT_THAT(names, ::testing::Contains("second_echo"));
  EXPECT_NE(pid_of(host, "first_pid", &both), pid_of(host, "second_pid", &both));
  EXPECT_EQ(host.call_tool("second_echo", {{"text", "hi"}}, &both).text(), "hi");
  try {
    host.call_tool("echo", Json::object(), &both);
    FAIL() << "the unprefixed name is not the agent's";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

TEST(mcp_tool_prefix, AClashWithoutAPrefixIsStillAnErrorNamingBothClients) {
  McpHost host({test_client("first"), test_client("second")}, {});
  for (const auto& list : std::vector<std::function<void()>>{
           [&] { host.tools_for(prefixing_agent({"first", "second"}, /*prefix=*/false)); },
           [&] { host.tools(); }, [&] { host.start(); }}) {
    try {
      list();
      FAIL() << "a tool name clash was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
      EXPECT_THAT(error.what(), HasSubstr("is offered by both MCP client 'first' and MCP client 'second'"));
      EXPECT_THAT(error.what(), HasSubstr("tool_prefix"));
    }
  }
}

TEST(mcp_tool_prefix, APrefixedNameProvidersWouldRefuseIsAConfigErrorNamingClientAndTool) {
  // 60 + "structured" is past the 64 characters providers accept; 60 + "echo" is not.
  McpHost host({prefixed("long", std::string(60, 'p'))}, {});
  try {
    host.start();
    FAIL() << "a 70-character tool name was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("MCP client 'long'"));
    EXPECT_THAT(error.what(), ::testing::ContainsRegex("its tool '[a-z_]+' with the tool_prefix"));
  }

  const std::string long_id(60, 'c');
  McpHost agents({test_client(long_id)}, {});
  try {
    agents.tools_for(prefixing_agent({long_id}));
    FAIL() << "a prefixed name past 64 characters was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("agent 'Both' has prefix_tool_names"));
    EXPECT_THAT(error.what(), HasSubstr("of MCP client '" + long_id + "'"));
  }
}

}  // namespace
}  // namespace aurite::mcp
