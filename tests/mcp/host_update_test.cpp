// McpHost::update_clients: clients added, replaced and removed while the host runs.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

#include "aurite/common/error.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using testing::test_client;
using testing::wait_until;

int pid_of(McpHost& host, const std::string& tool) { return std::stoi(host.call_tool(tool, Json::object()).text()); }

bool process_gone(int pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

TEST(mcp_host_update, AnAddedClientIsUsableAtOnce) {
  McpHost host({test_client("first")}, {});
  host.update_clients({test_client("first"), test_client("second", {"--prefix", "s_"})});
  EXPECT_EQ(host.client_ids(), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(host.call_tool("s_echo", {{"text", "new"}}).text(), "new");
  EXPECT_EQ(host.call_tool("echo", {{"text", "old"}}).text(), "old");
}

TEST(mcp_host_update, AnUnchangedClientKeepsItsServer) {
  McpHost host({test_client("kept")}, {});
  const int pid = pid_of(host, "pid");
  host.update_clients({test_client("kept"), test_client("other", {"--prefix", "o_"})});
  EXPECT_EQ(pid_of(host, "pid"), pid);
}

TEST(mcp_host_update, AReplacedClientStopsItsServerAndUsesTheNewDefinition) {
  McpHost host({test_client("swap", {"--prefix", "v1_"})}, {});
  const int old_pid = pid_of(host, "v1_pid");
  host.update_clients({test_client("swap", {"--prefix", "v2_"})});
  EXPECT_TRUE(wait_until([&] { return process_gone(old_pid); })) << "the old server " << old_pid << " still runs";
  EXPECT_FALSE(host.find_tool("v1_pid"));
  const int new_pid = pid_of(host, "v2_pid");
  EXPECT_NE(new_pid, old_pid);
}

TEST(mcp_host_update, ARemovedClientStopsItsServerAndItsToolsAreGone) {
  McpHost host({test_client("stays"), test_client("goes", {"--prefix", "g_"})}, {});
  const int pid = pid_of(host, "g_pid");
  host.update_clients({test_client("stays")});
  EXPECT_TRUE(wait_until([&] { return process_gone(pid); })) << "the removed server " << pid << " still runs";
  EXPECT_THROW(host.call_tool("g_pid", Json::object()), Error);
  EXPECT_EQ(host.client_ids(), std::vector<std::string>{"stays"});
}

}  // namespace
}  // namespace aurite::mcp
