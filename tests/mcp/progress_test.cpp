// Progress of a tools/call (notifications/progress): every call asks for it, each
// report reaches the caller and restarts the call's timeout, and max_total_timeout
// bounds a call however much progress it reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using testing::test_client;
using Clock = std::chrono::steady_clock;

TEST(mcp_progress, EveryToolCallAsksForProgressAndTheReportsReachTheCaller) {
  McpHost host({test_client("reporter")}, {});
  host.start();
  std::vector<Progress> reports;
  const ToolResult result = host.call_tool("progress", {{"steps", 3}, {"interval_ms", 1}}, nullptr,
                                           [&](const Progress& p) { reports.push_back(p); });
  EXPECT_EQ(result.text(), "done after 3 steps");
  ASSERT_EQ(reports.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(reports[i].progress, i + 1);
    EXPECT_EQ(reports[i].total, 3.0);
    EXPECT_EQ(reports[i].message, "step " + std::to_string(i + 1));
  }
}

TEST(mcp_progress, ProgressRestartsTheTimeoutOfALongCall) {
  // 8 reports 250 ms apart: 2 s in all, four times the 0.5 s timeout, never 0.5 s silent.
  McpHost host({test_client("patient", {}, /*timeout=*/0.5)}, {});
  host.start();
  const ToolResult result = host.call_tool("progress", {{"steps", 8}, {"interval_ms", 250}});
  EXPECT_FALSE(result.is_error) << result.text();
  EXPECT_EQ(result.text(), "done after 8 steps");
  // Without progress the same timeout still cuts a silent call short.
  const ToolResult silent = host.call_tool("sleep", {{"ms", 2000}});
  EXPECT_EQ(silent.failure, ErrorCode::kTimeout);
  EXPECT_THAT(silent.text(), HasSubstr("no answer to tools/call within 0.5 s"));
}

TEST(mcp_progress, MaxTotalTimeoutBoundsACallThatKeepsReportingProgress) {
  config::ClientConfig client = test_client("endless", {}, /*timeout=*/0.5);
  client.max_total_timeout = 1.5;
  McpHost host({client}, {});
  host.start();
  int reports = 0;
  const auto started = Clock::now();
  const ToolResult result = host.call_tool("progress", {{"steps", 100}, {"interval_ms", 100}}, nullptr,
                                           [&](const Progress&) { ++reports; });
  const auto took = Clock::now() - started;
  EXPECT_TRUE(result.is_error);
  EXPECT_EQ(result.failure, ErrorCode::kTimeout);
  EXPECT_THAT(result.text(),
              HasSubstr("'endless': tools/call did not finish within 1.5 s (max_total_timeout)"));
  EXPECT_GE(took, std::chrono::milliseconds(1500));
  EXPECT_LT(took, std::chrono::milliseconds(4000));
  EXPECT_GT(reports, 3);
  // The server was told to stop, and the session carries on.
  EXPECT_EQ(host.call_tool("echo", {{"text", "still here"}}).text(), "still here");
}

TEST(mcp_progress, TheDefaultMaxTotalIsTenTimesTheTimeout) {
  // timeout 0.2 s: the default bound is 2 s, though every report comes within 0.1 s.
  McpHost host({test_client("defaulted", {}, /*timeout=*/0.2)}, {});
  host.start();
  const auto started = Clock::now();
  const ToolResult result = host.call_tool("progress", {{"steps", 100}, {"interval_ms", 50}});
  const auto took = Clock::now() - started;
  EXPECT_EQ(result.failure, ErrorCode::kTimeout);
  EXPECT_THAT(result.text(), HasSubstr("within 2 s (max_total_timeout)"));
  EXPECT_GE(took, std::chrono::milliseconds(2000));
  EXPECT_LT(took, std::chrono::milliseconds(4500));
}

}  // namespace
}  // namespace aurite::mcp
