// The Streamable HTTP client against the official reference server
// @modelcontextprotocol/server-everything in its streamableHttp mode (npm, TypeScript
// SDK). That mode listens on every interface, so this program runs in a network
// namespace of its own (tests/support/in_private_network.sh) and refuses to run outside one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <fstream>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/child_process.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using testing::wait_until;

// Only loopback: what in_private_network.sh leaves.
bool in_private_network() {
  std::ifstream dev("/proc/net/dev");
  std::string line;
  int interfaces = 0;
  bool other = false;
  while (std::getline(dev, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    ++interfaces;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name != "lo") other = true;
  }
  return interfaces > 0 && !other;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

class EverythingOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(in_private_network()) << "run me through tests/support/in_private_network.sh: the server binds every interface";
    server_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"node", testing::everything_server_entry().string(), "streamableHttp"},
        std::map<std::string, std::string>{{"PORT", std::to_string(kPort)}});
    ASSERT_TRUE(wait_until([] { return accepts_connections(kPort); }, std::chrono::seconds(20)))
        << "server-everything did not listen on port " << kPort;
  }

  config::ClientConfig client() const {
    config::ClientConfig c;
    c.client_id = "everything";
    c.url = "http://127.0.0.1:" + std::to_string(kPort) + "/mcp";
    c.timeout = 15.0;
    return c;
  }

  static constexpr int kPort = 3001;
  std::unique_ptr<testing::ChildProcess> server_;
};

TEST_F(EverythingOverHttp, ListsAndCallsToolsAndSaysWhichRevisionItSpeaks) {
  McpHost host({client()}, std::filesystem::path());
  host.start();
  const ToolResult echo = host.call_tool("echo", {{"message", "over streamable http"}});
  EXPECT_FALSE(echo.is_error) << echo.text();
  EXPECT_THAT(echo.text(), HasSubstr("over streamable http"));
  const ToolResult sum = host.call_tool("get-sum", {{"a", 2}, {"b", 40}});
  EXPECT_THAT(sum.text(), HasSubstr("42"));
  const auto connections = host.connections();
  ASSERT_EQ(connections.size(), 1u);
  EXPECT_EQ(connections[0].transport, "http");
  EXPECT_EQ(connections[0].protocol_version, "2025-11-25");
}

TEST_F(EverythingOverHttp, ProgressArrivesOnTheAnswersEventStream) {
  McpHost host({client()}, std::filesystem::path());
  std::vector<Progress> reports;
  const ToolResult result = host.call_tool("trigger-long-running-operation", {{"duration", 1}, {"steps", 4}}, nullptr,
                                           [&](const Progress& p) { reports.push_back(p); });
  EXPECT_FALSE(result.is_error) << result.text();
  EXPECT_EQ(reports.size(), 4u);
}

TEST_F(EverythingOverHttp, PromptsAndResourcesWorkOverHttp) {
  McpHost host({client()}, std::filesystem::path());
  const auto prompts = host.prompts();
  EXPECT_FALSE(prompts.empty());
  const auto resources = host.resources();
  ASSERT_FALSE(resources.empty());
  const Json read = host.read_resource(resources.front().uri);
  ASSERT_TRUE(read.contains("contents"));
  EXPECT_FALSE(read["contents"].empty());
}

TEST_F(EverythingOverHttp, ARestartedServerForgetsTheSessionAndTheHostCarriesOn) {
  McpHost host({client()}, std::filesystem::path());
  host.start();
  EXPECT_FALSE(host.call_tool("echo", {{"message", "before"}}).is_error);
  server_->kill(SIGKILL);
  server_->wait();
  SetUp();
  const ToolResult after = host.call_tool("echo", {{"message", "after"}});
  EXPECT_FALSE(after.is_error) << after.text();
  EXPECT_THAT(after.text(), HasSubstr("after"));
}

}  // namespace
}  // namespace aurite::mcp
