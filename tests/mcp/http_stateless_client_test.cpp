// The client on the stateless revision (2026-07-28) against our server library on HTTP:
// server/discover instead of a session, _meta on every request, arguments mirrored into
// Mcp-Param headers (the server refuses a request whose headers do not match its body),
// input_required answered and asked again, and tools with unusable header annotations
// left out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/mcp/server.hpp"
#include "aurite/mcp/transport.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;

class StatelessClient : public ::testing::Test {
 protected:
  StatelessClient() : server_(options()) {
    const Json region_schema = {{"type", "object"},
                                {"properties", {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}}}}};
    server_.add_tool({"region", "", region_schema, [](const Json& args) {
                        return text_result("region " + args.value("region", "?"));
                      }});
    server_.add_tool({"ask_name", "", {{"type", "object"}}, [this](const Json&) {
                        const Json answers = server_.input_responses();
                        if (!answers.contains("who")) {
                          const Json ask = {{"method", "elicitation/create"},
                                            {"params", {{"message", "name?"}, {"requestedSchema", {{"type", "object"}}}}}};
                          throw InputRequired{Json{{"who", ask}}, ""};
                        }
                        return text_result("hello " + answers["who"]["content"]["name"].get<std::string>());
                      }});
    const Json spaced = {{"type", "object"},
                         {"properties", {{"value", {{"type", "string"}, {"x-mcp-header", "Two Words"}}}}}};
    server_.add_tool({"badly_annotated", "", spaced, [](const Json&) { return text_result("must not run"); }});
    http_ = std::make_unique<McpHttpServer>(server_, McpHttpServer::Options{});
    port_ = http_->bind();
    serving_ = std::thread([this] { http_->serve(); });
  }
  ~StatelessClient() override {
    http_->stop();
    serving_.join();
  }

  static McpServer::Options options() {
    McpServer::Options o;
    o.name = "stateless-test";
    return o;
  }

  config::ClientConfig client() const {
    config::ClientConfig c;
    c.client_id = "stateless";
    c.url = "http://127.0.0.1:" + std::to_string(port_) + "/mcp";
    c.timeout = 10.0;
    return c;
  }

  McpServer server_;
  std::unique_ptr<McpHttpServer> http_;
  int port_ = 0;
  std::thread serving_;
};

TEST_F(StatelessClient, TheHostSpeaksTheStatelessRevisionAndMirrorsArgumentsIntoHeaders) {
  McpHost host({client()}, std::filesystem::path());
  host.start();
  const auto connections = host.connections();
  ASSERT_EQ(connections.size(), 1u);
  EXPECT_EQ(connections[0].protocol_version, "2026-07-28");
  EXPECT_EQ(connections[0].server_name, "stateless-test");
  // Plain ASCII goes as it is, anything else Base64-encoded: the server compares both.
  for (const std::string region : {"eu-west-1", "Zürich", " padded "}) {
    const ToolResult result = host.call_tool("region", {{"region", region}});
    EXPECT_FALSE(result.is_error) << region << ": " << result.text();
    EXPECT_EQ(result.text(), "region " + region);
  }
}

TEST_F(StatelessClient, AToolWithAnUnusableHeaderAnnotationIsHidden) {
  McpHost host({client()}, std::filesystem::path());
  host.start();
  EXPECT_TRUE(host.find_tool("region").has_value());
  EXPECT_FALSE(host.find_tool("badly_annotated").has_value());
}

TEST_F(StatelessClient, InputRequiredIsAnsweredAndAskedAgain) {
  std::vector<std::string> asked;
  ServerRequestHandler answers{{{"elicitation", Json::object()}},
                               [&asked](const std::string& method, const Json&) -> std::optional<Json> {
                                 asked.push_back(method);
                                 return Json{{"action", "accept"}, {"content", {{"name", "Ada"}}}};
                               }};
  const auto c = client();
  auto session = ClientSession::open(c, start_http_transport(c, {}), kStatelessProtocolVersion, answers);
  EXPECT_EQ(session->protocol_version(), "2026-07-28");
  const Json result = session->request("tools/call", {{"name", "ask_name"}, {"arguments", Json::object()}});
  EXPECT_EQ(result["content"][0]["text"], "hello Ada");
  EXPECT_EQ(asked, std::vector<std::string>{"elicitation/create"});
}

TEST_F(StatelessClient, WithoutAnAnswerForWhatTheServerNeedsTheCallFailsNamingIt) {
  const auto c = client();
  auto session = ClientSession::open(c, start_http_transport(c, {}), kStatelessProtocolVersion);
  try {
    session->request("tools/call", {{"name", "ask_name"}, {"arguments", Json::object()}});
    FAIL() << "answered without the input it needs";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("elicitation/create"));
  }
}

}  // namespace
}  // namespace aurite::mcp
