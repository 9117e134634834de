// ClientSession against the test server: handshake, version negotiation, requests in
// both directions, concurrency.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using testing::test_client;

std::unique_ptr<ClientSession> open_session(const config::ClientConfig& client,
                                            std::string_view offered = kLatestProtocolVersion) {
  return ClientSession::open(client, start_stdio_transport(client, {}), offered);
}

Json call(ClientSession& session, const std::string& tool, Json arguments = Json::object()) {
  return session.request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
}

TEST(mcp_session, HandshakeOffersTheLatestRevisionAndKeepsTheServerInfo) {
  auto session = open_session(test_client("negotiating"));
  EXPECT_EQ(session->protocol_version(), "2025-11-25");
  EXPECT_EQ(session->server_info().value("name", ""), "aurite-test-mcp-server");
  EXPECT_TRUE(session->server_capabilities().contains("tools"));
  EXPECT_TRUE(session->alive());
}

TEST(mcp_session, AcceptsEverySupportedRevisionTheServerAnswers) {
  for (const auto version : kSupportedProtocolVersions) {
    auto session = open_session(test_client("older", {"--protocol", std::string(version)}));
    EXPECT_EQ(session->protocol_version(), version);
    EXPECT_EQ(call(*session, "echo", {{"text", "hi"}})["content"][0]["text"], "hi");
  }
}

TEST(mcp_session, ServerEchoesAnOlderOfferedRevision) {
  auto session = open_session(test_client("echoing"), "2025-03-26");
  EXPECT_EQ(session->protocol_version(), "2025-03-26");
}

TEST(mcp_session, RejectsAnUnsupportedRevisionNamingClientAndVersion) {
  try {
    open_session(test_client("future_server", {"--protocol", "2031-01-01"}));
    FAIL() << "an unsupported protocol version was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kProtocol);
    EXPECT_THAT(error.what(), HasSubstr("future_server"));
    EXPECT_THAT(error.what(), HasSubstr("2031-01-01"));
  }
}

TEST(mcp_session, AnswersPingFromTheServerAndPingsTheServer) {
  auto session = open_session(test_client("pinger"));
  EXPECT_EQ(session->request("ping"), Json::object());
  const Json answer = Json::parse(call(*session, "ask_client", {{"method", "ping"}})["content"][0]["text"].get<std::string>());
  EXPECT_EQ(answer["result"], Json::object());
}

TEST(mcp_session, AnswersRootsListWithTheConfiguredRoots) {
  auto client = test_client("rooted");
  client.roots.push_back({"file:///srv/data", std::string("data"), {}, Json::object()});
  auto session = open_session(client);
  const Json answer =
      Json::parse(call(*session, "ask_client", {{"method", "roots/list"}})["content"][0]["text"].get<std::string>());
  ASSERT_EQ(answer["result"]["roots"].size(), 1u);
  EXPECT_EQ(answer["result"]["roots"][0]["uri"], "file:///srv/data");
  EXPECT_EQ(answer["result"]["roots"][0]["name"], "data");
}

TEST(mcp_session, AnswersAnUnsupportedServerRequestWithMethodNotFound) {
  auto session = open_session(test_client("sampler"));
  const Json answer = Json::parse(
      call(*session, "ask_client", {{"method", "sampling/createMessage"}})["content"][0]["text"].get<std::string>());
  EXPECT_EQ(answer["error"]["code"], -32601);
}

TEST(mcp_session, PassesEnvironmentAndRunsInTheBaseFolder) {
  auto client = test_client("environment");
  client.env["AURITE_TEST_VALUE"] = "forty-two";
  const auto base = std::filesystem::temp_directory_path();
  auto session = ClientSession::open(client, start_stdio_transport(client, base));
  const Json result = call(*session, "env", {{"name", "AURITE_TEST_VALUE"}});
  EXPECT_EQ(result["structuredContent"]["value"], "forty-two");
  EXPECT_EQ(std::filesystem::path(result["structuredContent"]["cwd"].get<std::string>()),
            std::filesystem::canonical(base));
  // The inherited environment is still there.
  EXPECT_FALSE(call(*session, "env", {{"name", "PATH"}})["structuredContent"]["value"].is_null());
}

TEST(mcp_session, MatchesOneHundredConcurrentRequestsToTheirAnswers) {
  auto session = open_session(test_client("busy"));
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < 100; ++i) {
    answers.push_back(std::async(std::launch::async, [&session, i] {
      return call(*session, "echo", {{"text", "call-" + std::to_string(i)}})["content"][0]["text"].get<std::string>();
    }));
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(answers[i].get(), "call-" + std::to_string(i));
}

TEST(mcp_session, AJsonRpcErrorAnswerIsAnErrorNamingTheClient) {
  auto session = open_session(test_client("strict"));
  try {
    session->request("no/such/method");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_THAT(error.what(), HasSubstr("strict"));
    EXPECT_THAT(error.what(), HasSubstr("-32601"));
  }
  try {
    call(*session, "no_such_tool");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(session->alive());
}

TEST(mcp_session, ListAllFollowsNextCursorAcrossPages) {
  auto session = open_session(test_client("paged", {"--tools", "23", "--page-size", "5"}));
  const auto tools = session->list_all("tools/list", "tools");
  ASSERT_EQ(tools.size(), 23u + testing::kTestServerTools.size());
  EXPECT_EQ(tools.back()["name"], "tool_22");
}

}  // namespace
}  // namespace aurite::mcp
