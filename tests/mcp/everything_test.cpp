// The host against the official reference server @modelcontextprotocol/server-everything
// (npm, TypeScript SDK): what real servers send, not only what ours do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::child_processes;
using testing::everything_client;
using testing::wait_until;

bool has_tool(McpHost& host, const std::string& name) { return host.find_tool(name).has_value(); }

TEST(mcp_everything, HandshakeListsAndCallsTools) {
  McpHost host({everything_client("everything")}, {});
  host.start();
  ASSERT_TRUE(has_tool(host, "echo"));
  ASSERT_TRUE(has_tool(host, "get-sum"));
  const ToolResult echo = host.call_tool("echo", {{"message", "hello"}});
  EXPECT_FALSE(echo.is_error);
  EXPECT_THAT(echo.text(), HasSubstr("hello"));
  const ToolResult sum = host.call_tool("get-sum", {{"a", 2}, {"b", 3}});
  EXPECT_THAT(sum.text(), HasSubstr("5"));
}

TEST(mcp_everything, ReturnsImageResourceAndStructuredContent) {
  McpHost host({everything_client("everything")}, {});
  host.start();
  const ToolResult image = host.call_tool("get-tiny-image", Json::object());
  ASSERT_FALSE(image.is_error) << image.text();
  const auto has_block = [](const ToolResult& r, const std::string& type) {
    return std::any_of(r.content.begin(), r.content.end(), [&](const Json& b) { return b["type"] == type; });
  };
  EXPECT_TRUE(has_block(image, "image"));
  const ToolResult links = host.call_tool("get-resource-links", {{"count", 2}});
  EXPECT_TRUE(has_block(links, "resource_link")) << links.to_json().dump();
  const ToolResult reference = host.call_tool("get-resource-reference", {{"resourceType", "Text"}, {"resourceId", 1}});
  EXPECT_TRUE(has_block(reference, "resource")) << reference.to_json().dump();
  const ToolResult structured = host.call_tool("get-structured-content", {{"location", "New York"}});
  EXPECT_TRUE(structured.structured_content.has_value()) << structured.to_json().dump();
}

TEST(mcp_everything, BadArgumentsComeBackAsAToolErrorNotAnException) {
  McpHost host({everything_client("everything")}, {});
  host.start();
  const ToolResult result = host.call_tool("get-sum", {{"a", "not a number"}});
  EXPECT_TRUE(result.is_error);
  EXPECT_FALSE(result.text().empty());
}

TEST(mcp_everything, ListsAndReadsPromptsAndResources) {
  McpHost host({everything_client("everything")}, {});
  host.start();
  const auto prompts = host.prompts();
  ASSERT_TRUE(std::any_of(prompts.begin(), prompts.end(), [](const PromptInfo& p) { return p.name == "simple-prompt"; }));
  const Json prompt = host.get_prompt("simple-prompt", Json::object());
  ASSERT_TRUE(prompt.contains("messages"));
  EXPECT_FALSE(prompt["messages"].empty());
  const auto resources = host.resources();
  ASSERT_FALSE(resources.empty());
  const Json read = host.read_resource(resources.front().uri);
  ASSERT_TRUE(read.contains("contents"));
  EXPECT_EQ(read["contents"][0]["uri"], resources.front().uri);
}

TEST(mcp_everything, AnswersTheServersRootsRequestAndSurvivesItsListChanges) {
  auto client = everything_client("rooted");
  client.roots.push_back({"file:///tmp", std::string("tmp"), {}, Json::object()});
  McpHost host({client}, {});
  host.start();
  // The server asks for our roots ~350 ms after initialized and then adds a tool that
  // reports them; the list_changed notification makes us re-list.
  ASSERT_TRUE(wait_until([&] { return has_tool(host, "get-roots-list"); }, std::chrono::seconds(10)));
  const ToolResult roots = host.call_tool("get-roots-list", Json::object());
  EXPECT_THAT(roots.to_json().dump(), HasSubstr("file:///tmp"));
}

TEST(mcp_everything, ItsLongRunningOperationIsKeptAliveByItsProgress) {
  // Eight steps a second apart: 8 s in all, more than twice the 3 s timeout (which
  // also bounds node's start, slow on a busy machine).
  auto client = everything_client("everything");
  client.timeout = 3;
  McpHost host({client}, {});
  host.start();
  std::vector<Progress> reports;
  const ToolResult done = host.call_tool("trigger-long-running-operation", {{"duration", 8}, {"steps", 8}}, nullptr,
                                         [&](const Progress& p) { reports.push_back(p); });
  ASSERT_FALSE(done.is_error) << done.text();
  EXPECT_THAT(done.text(), HasSubstr("Long running operation completed"));
  ASSERT_EQ(reports.size(), 8u);
  EXPECT_EQ(reports.back().progress, 8);
  EXPECT_EQ(reports.back().total, 8.0);
}

TEST(mcp_everything, ItsTaskOnlyToolIsHiddenAndItTakesOurLogLevel) {
  testing::CapturedLog log;
  auto client = everything_client("everything");
  client.log_level = "error";
  {
    McpHost host({client}, {});
    host.start();
    // simulate-research-query (taskSupport "required") is added after initialized, with
    // a list_changed: wait for the re-listing that sees it.
    ASSERT_TRUE(wait_until(
                    [&] {
                      has_tool(host, "echo");  // re-lists when the list changed
                      return log.text().find("'simulate-research-query' is hidden") != std::string::npos;
                    },
                    std::chrono::seconds(10)))
        << log.text();
    EXPECT_FALSE(has_tool(host, "simulate-research-query"));
    EXPECT_TRUE(has_tool(host, "trigger-long-running-operation"));
  }
  EXPECT_THAT(log.text(), Not(HasSubstr("logging/setLevel 'error' refused")));
  EXPECT_THAT(log.text(), Not(HasSubstr("not sent")));
}

TEST(mcp_everything, ShutdownStopsNodeAndLeavesNoChildren) {
  {
    McpHost host({everything_client("everything")}, {});
    host.start();
    EXPECT_FALSE(child_processes().empty());
  }
  EXPECT_TRUE(wait_until([] { return child_processes().empty(); }, std::chrono::seconds(5)));
}

}  // namespace
}  // namespace aurite::mcp
