// How the host survives servers that fail: never start, exit, crash mid-call, write
// garbage, answer too late or too much; and that no process is left behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using testing::child_processes;
using testing::test_client;
using testing::wait_until;

std::string pid_of(McpHost& host) {
  const ToolResult result = host.call_tool("pid", Json::object());
  EXPECT_FALSE(result.is_error) << result.text();
  return result.text();
}

TEST(mcp_faults, AServerThatCannotBeStartedIsUnavailableNamingTheClient) {
  config::ClientConfig client;
  client.client_id = "ghost";
  client.command = "/nonexistent/aurite-no-such-server";
  McpHost host({client}, {});
  try {
    host.start();
    FAIL() << "a missing server started";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(error.what(), HasSubstr("ghost"));
    EXPECT_THAT(error.what(), HasSubstr("aurite-no-such-server"));
  }
}

TEST(mcp_faults, AServerThatExitsAtStartIsUnavailableWithItsStatus) {
  McpHost host({test_client("quitter", {"--exit-at-start", "7"})}, {});
  try {
    host.start();
    FAIL() << "a server that exited was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(error.what(), HasSubstr("quitter"));
    EXPECT_THAT(error.what(), HasSubstr("status 7"));
  }
}

TEST(mcp_faults, ACrashMidCallIsAToolErrorAndTheServerRestartsOnNextUse) {
  McpHost host({test_client("fragile")}, {});
  host.start();
  const std::string first_pid = pid_of(host);
  const ToolResult crashed = host.call_tool("crash", Json::object());
  EXPECT_TRUE(crashed.is_error);
  EXPECT_EQ(crashed.failure, ErrorCode::kUnavailable);
  EXPECT_THAT(crashed.text(), HasSubstr("fragile"));
  EXPECT_THAT(crashed.text(), HasSubstr("status 3"));
  const std::string second_pid = pid_of(host);
  EXPECT_NE(first_pid, second_pid);
  EXPECT_EQ(host.call_tool("echo", {{"text", "back"}}).text(), "back");
}

TEST(mcp_faults, GarbageOnStdoutIsAProtocolErrorAndTheServerRestarts) {
  McpHost host({test_client("noisy")}, {});
  host.start();
  const std::string first_pid = pid_of(host);
  const ToolResult garbled = host.call_tool("garbage", Json::object());
  EXPECT_TRUE(garbled.is_error);
  EXPECT_EQ(garbled.failure, ErrorCode::kProtocol);
  EXPECT_THAT(garbled.text(), HasSubstr("noisy"));
  EXPECT_THAT(garbled.text(), HasSubstr("not JSON"));
  EXPECT_NE(pid_of(host), first_pid);
}

TEST(mcp_faults, ALateAnswerTimesOutIsCancelledAndIgnored) {
  McpHost host({test_client("slow", {}, /*timeout=*/0.5)}, {});
  host.start();
  const auto started = std::chrono::steady_clock::now();
  const ToolResult late = host.call_tool("sleep", {{"ms", 2000}});
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(late.is_error);
  EXPECT_EQ(late.failure, ErrorCode::kTimeout);
  EXPECT_THAT(late.text(), HasSubstr("slow"));
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  // The server was told, and keeps answering while the cancelled call runs on.
  const std::string pid = host.call_tool("pid", Json::object()).text();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(host.call_tool("echo", {{"text", std::to_string(i)}}).text(), std::to_string(i));
  Json state;
  EXPECT_TRUE(wait_until([&] {
    state = host.call_tool("cancelled", Json::object()).structured_content.value_or(Json::object());
    return state.value("sleeps_finished", 0) >= 1;
  }));
  ASSERT_EQ(state["ids"].size(), 1u);
  // The late answer has been sent; it is dropped on arrival and the session carries on.
  EXPECT_EQ(host.call_tool("echo", {{"text", "after"}}).text(), "after");
  EXPECT_EQ(host.call_tool("pid", Json::object()).text(), pid);  // same server: no restart
}

TEST(mcp_faults, ALineOverSixteenMebibytesIsAProtocolErrorNotUnboundedMemory) {
  McpHost host({test_client("flood")}, {});
  host.start();
  const ToolResult big = host.call_tool("huge", {{"bytes", kMaxLineBytes - 1024 * 1024}});
  EXPECT_FALSE(big.is_error);
  EXPECT_EQ(big.text().size(), kMaxLineBytes - 1024 * 1024);
  const ToolResult flood = host.call_tool("huge", {{"bytes", kMaxLineBytes + 1}});
  EXPECT_TRUE(flood.is_error);
  EXPECT_EQ(flood.failure, ErrorCode::kProtocol);
  EXPECT_THAT(flood.text(), HasSubstr("flood"));
  EXPECT_THAT(flood.text(), HasSubstr("longer than"));
  EXPECT_EQ(host.call_tool("echo", {{"text", "after"}}).text(), "after");
}

TEST(mcp_faults, ShutdownLeavesNoChildProcessBehind) {
  {
    McpHost host({test_client("a"), test_client("b", {"--prefix", "b_"}, 0.3), test_client("c", {"--prefix", "c_"})}, {});
    host.start();
    EXPECT_GE(child_processes().size(), 3u);
    host.call_tool("crash", Json::object());  // one reaped after a crash...
    host.call_tool("pid", Json::object());    // ...and restarted
    host.call_tool("b_sleep", {{"ms", 60000}});  // one still busy: it must be signalled
  }
  EXPECT_TRUE(wait_until([] { return child_processes().empty(); }, std::chrono::seconds(5)))
      << child_processes().size() << " child processes left";
}

TEST(mcp_faults, ADestroyedSessionStopsAServerThatIgnoresEndOfInput) {
  // `sleep` keeps a worker busy for a minute, so the server does not exit on EOF; the
  // stop sequence must fall through to signals.
  auto client = test_client("stubborn", {}, 0.2);
  {
    auto session = ClientSession::open(client, start_stdio_transport(client, {}));
    EXPECT_THROW(session->request("tools/call", {{"name", "sleep"}, {"arguments", {{"ms", 60000}}}}), Error);
  }
  EXPECT_TRUE(child_processes().empty());
}

}  // namespace
}  // namespace aurite::mcp
