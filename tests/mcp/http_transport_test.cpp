// The Streamable HTTP client against a real HTTP server that fails on purpose: each fault
// is an error of the one request it hits, naming client and URL and never a header value,
// and none of them hangs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/http_fault_server.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::HttpFault;
using testing::HttpFaultServer;

constexpr const char* kSecret = "sk-test-7f3a9c1e";

config::ClientConfig remote_client(const std::string& url, double timeout = 5.0) {
  config::ClientConfig client;
  client.client_id = "remote";
  client.url = url;
  client.timeout = timeout;
  return client;
}

std::unique_ptr<ClientSession> open(const config::ClientConfig& client) {
  return ClientSession::open(client, start_http_transport(client, {}));
}

Json call_echo(ClientSession& session, const std::string& text = "hi") {
  return session.request("tools/call", {{"name", "echo"}, {"arguments", {{"text", text}}}});
}

ErrorCode code_of_call(ClientSession& session, std::string& message) {
  try {
    call_echo(session);
  } catch (const Error& error) {
    message = error.what();
    return error.code();
  }
  ADD_FAILURE() << "the call succeeded";
  return ErrorCode::kInternal;
}

TEST(mcp_http, SessionIdAndProtocolVersionGoWithEveryRequestAndDeleteEndsIt) {
  HttpFaultServer server;
  {
    auto session = open(remote_client(server.url()));
    EXPECT_EQ(session->protocol_version(), "2025-11-25");
    EXPECT_EQ(session->transport_name(), "http");
    const Json result = call_echo(*session, "over http");
    EXPECT_EQ(result["content"][0]["text"], "echo: over http");
  }
  const auto seen = server.seen();
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen[0].rpc_method, "initialize");
  EXPECT_EQ(seen[0].session_id, "") << "initialize carries no session";
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (seen[i].method == "GET" && seen[i].session_id.empty()) continue;
    EXPECT_EQ(seen[i].session_id, "session-1") << seen[i].method << " " << seen[i].rpc_method;
    EXPECT_EQ(seen[i].protocol_version, "2025-11-25") << seen[i].method << " " << seen[i].rpc_method;
  }
  EXPECT_EQ(seen.back().method, "DELETE") << "close ends the session";
}

TEST(mcp_http, HeadersExpandVariablesAndTheirValuesStayOutOfErrors) {
  HttpFaultServer server;
  server.require_authorization(std::string("Bearer ") + kSecret);
  ::setenv("AURITE_TEST_HTTP_TOKEN", kSecret, 1);
  auto client = remote_client(server.url());
  client.headers["Authorization"] = "Bearer ${AURITE_TEST_HTTP_TOKEN}";
  auto session = open(client);
  EXPECT_EQ(call_echo(*session)["content"][0]["text"], "echo: hi");

  ::setenv("AURITE_TEST_HTTP_TOKEN", "sk-wrong-0000", 1);
  try {
    open(client);
    FAIL() << "a refused token opened a session";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_THAT(error.what(), HasSubstr("remote"));
    EXPECT_THAT(error.what(), HasSubstr(server.url()));
    EXPECT_THAT(error.what(), HasSubstr("401"));
    EXPECT_THAT(error.what(), Not(HasSubstr("sk-wrong-0000")));
  }
  ::unsetenv("AURITE_TEST_HTTP_TOKEN");
}

TEST(mcp_http, AnUnsetVariableInAHeaderNamesClientHeaderAndVariable) {
  ::unsetenv("AURITE_TEST_NO_SUCH_TOKEN");
  auto client = remote_client("http://127.0.0.1:9/mcp");
  client.headers["X-Api-Key"] = "${AURITE_TEST_NO_SUCH_TOKEN}";
  try {
    start_http_transport(client, {});
    FAIL() << "a transport started with an unset variable";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("'remote'"));
    EXPECT_THAT(error.what(), HasSubstr("headers.X-Api-Key"));
    EXPECT_THAT(error.what(), HasSubstr("AURITE_TEST_NO_SUCH_TOKEN"));
  }
}

TEST(mcp_http, A500FailsThatCallOnlyAndNamesTheUrl) {
  HttpFaultServer server;
  auto session = open(remote_client(server.url()));
  server.set_fault(HttpFault::kStatus500);
  std::string message;
  EXPECT_EQ(code_of_call(*session, message), ErrorCode::kUnavailable);
  EXPECT_THAT(message, HasSubstr("'remote'"));
  EXPECT_THAT(message, HasSubstr(server.url()));
  EXPECT_THAT(message, HasSubstr("500"));
  EXPECT_THAT(message, HasSubstr("upstream database down")) << "the server's own words";
  server.set_fault(HttpFault::kNone);
  EXPECT_TRUE(session->alive());
  EXPECT_EQ(call_echo(*session)["content"][0]["text"], "echo: hi") << "the next call goes through";
}

TEST(mcp_http, AStreamCutBeforeTheAnswerWithoutAnIdIsAnError) {
  HttpFaultServer server;
  auto session = open(remote_client(server.url()));
  server.set_fault(HttpFault::kCutWithoutId);
  std::string message;
  EXPECT_EQ(code_of_call(*session, message), ErrorCode::kUnavailable);
  EXPECT_THAT(message, HasSubstr("ended before it answered tools/call"));
}

TEST(mcp_http, AStreamCutWithAnIdIsResumedAfterTheServersRetryDelay) {
  HttpFaultServer server;
  auto session = open(remote_client(server.url()));
  server.set_fault(HttpFault::kCutThenResume);
  EXPECT_EQ(call_echo(*session, "resumed")["content"][0]["text"], "echo: resumed");
  const auto seen = server.seen();
  const auto post = std::find_if(seen.rbegin(), seen.rend(), [](const auto& s) { return s.rpc_method == "tools/call"; });
  const auto resume = std::find_if(seen.begin(), seen.end(), [](const auto& s) { return s.last_event_id == "cut-1"; });
  ASSERT_NE(post, seen.rend());
  ASSERT_NE(resume, seen.end()) << "no GET with Last-Event-ID: cut-1";
  EXPECT_EQ(resume->method, "GET");
  EXPECT_GE(resume->at - post->at, std::chrono::milliseconds(300)) << "the retry delay was not waited out";
}

TEST(mcp_http, AServerThatNeverAnswersTimesOutAndTheSessionGoesOn) {
  HttpFaultServer server;
  auto session = open(remote_client(server.url(), /*timeout=*/0.5));
  server.set_fault(HttpFault::kNeverAnswer);
  const auto started = std::chrono::steady_clock::now();
  std::string message;
  EXPECT_EQ(code_of_call(*session, message), ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  server.set_fault(HttpFault::kNone);
  EXPECT_EQ(call_echo(*session)["content"][0]["text"], "echo: hi");
}

TEST(mcp_http, AForgottenSessionIsRenewedAndTheCallGoesThrough) {
  HttpFaultServer server;
  auto session = open(remote_client(server.url()));
  server.set_fault(HttpFault::kForgetSessionOnce);
  EXPECT_EQ(call_echo(*session, "again")["content"][0]["text"], "echo: again");
  EXPECT_EQ(server.initializations(), 2);
  const auto seen = server.seen();
  const auto last_call = std::find_if(seen.rbegin(), seen.rend(), [](const auto& s) { return s.rpc_method == "tools/call"; });
  ASSERT_NE(last_call, seen.rend());
  EXPECT_EQ(last_call->session_id, "session-2");
}

TEST(mcp_http, ARefusedConnectionNamesClientAndUrl) {
  int port = 0;
  {
    HttpFaultServer gone;  // a port that was just free, and is closed again
    port = std::stoi(gone.url().substr(std::string("http://127.0.0.1:").size()));
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
  McpHost host({remote_client(url)}, std::filesystem::path());
  try {
    host.start();
    FAIL() << "started against a closed port";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(error.what(), HasSubstr("'remote'"));
    EXPECT_THAT(error.what(), HasSubstr(url));
  }
}

TEST(mcp_http, TheHostCallsRemoteToolsAndReportsTheConnection) {
  HttpFaultServer server;
  McpHost host({remote_client(server.url())}, std::filesystem::path());
  host.start();
  const ToolResult result = host.call_tool("echo", {{"text", "via host"}});
  EXPECT_FALSE(result.is_error) << result.text();
  EXPECT_EQ(result.text(), "echo: via host");
  const auto connections = host.connections();
  ASSERT_EQ(connections.size(), 1u);
  EXPECT_EQ(connections[0].transport, "http");
  EXPECT_EQ(connections[0].protocol_version, "2025-11-25");
  EXPECT_EQ(connections[0].server_name, "fault-server");
  server.set_fault(HttpFault::kStatus500);
  const ToolResult failed = host.call_tool("echo", {{"text", "x"}});
  EXPECT_TRUE(failed.is_error);
  ASSERT_TRUE(failed.failure.has_value());
  EXPECT_THAT(failed.text(), HasSubstr(server.url()));
}

}  // namespace
}  // namespace aurite::mcp
