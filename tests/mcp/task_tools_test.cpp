// Tools that can only be called as a task (taskSupport "required", 2025-11-25): the host
// does not run tasks, so offering them would only earn the model a -32601 every time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using testing::CapturedLog;
using ::testing::HasSubstr;
using testing::test_client;

bool lists(McpHost& host, const std::string& name) {
  const auto tools = host.tools();
  return std::any_of(tools.begin(), tools.end(), [&](const ToolInfo& tool) { return tool.name == name; });
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(mcp_task_tools, AToolThatRequiresATaskIsHiddenAndLoggedOnce) {
  CapturedLog log;
  McpHost host({test_client("tasks", {"--task-tools", "yes"})}, {});
  host.start();
  EXPECT_FALSE(lists(host, "needs_task"));
  EXPECT_TRUE(lists(host, "maybe_task"));  // optional: a plain call works
  EXPECT_EQ(host.call_tool("maybe_task", Json::object()).text(), "ran without a task");
  try {
    host.call_tool("needs_task", Json::object());
    FAIL() << "a hidden tool was called";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
  // A re-listing (the list changed) and a restarted server do not log it again.
  EXPECT_EQ(host.call_tool("add_tool", {{"name", "late"}}).text(), "added");
  EXPECT_TRUE(testing::wait_until([&] { return lists(host, "late"); }));
  host.call_tool("crash", Json::object());
  EXPECT_EQ(host.call_tool("echo", {{"text", "back"}}).text(), "back");
  EXPECT_FALSE(lists(host, "needs_task"));
  host.shutdown();
  const std::string text = log.text();
  EXPECT_EQ(count(text, "tool 'needs_task' is hidden"), 1u) << text;
  EXPECT_THAT(
      text,
      HasSubstr(
          "[warning] MCP client 'tasks': tool 'needs_task' is hidden: it can only be called as a task"));
}

}  // namespace
}  // namespace aurite::mcp
