// The server library's stateless revision (2026-07-28) on HTTP: requests without a
// session carry what initialize used to say, headers must agree with the body, and a
// handler that needs the client asks through the result (multi round-trip requests).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>
#include <thread>

#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/server.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;

const Json kMeta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                    {"io.modelcontextprotocol/clientCapabilities", {{"elicitation", Json::object()}}}};

Json stateless_request(int id, const std::string& method, Json params = Json::object()) {
  if (!params.contains("_meta")) params["_meta"] = kMeta;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

class StatelessServing : public ::testing::Test {
 protected:
  StatelessServing() : server_(options()) {
    // Asks for a name in a first round; greets in the second, if the state is ours.
    server_.add_tool({"greet", "", {{"type", "object"}}, [this](const Json&) {
                        const Json answers = server_.input_responses();
                        if (!answers.contains("name")) {
                          throw InputRequired{{{"name", {{"method", "elicitation/create"}, {"params", Json::object()}}}},
                                              server_.seal_state("round-1")};
                        }
                        if (server_.open_state(server_.request_state()) != "round-1") {
                          throw RequestRejected{-32602, "request state failed its check"};
                        }
                        return text_result("hello " + answers["name"]["content"]["name"].get<std::string>());
                      }});
    server_.add_tool({"needs_sampling", "", {{"type", "object"}}, [this](const Json&) {
                        server_.require_client_capability("sampling");
                        return text_result("unreachable without sampling");
                      }});
    // Written for sessions: two requests to the client, one after the other.
    server_.add_tool({"two_questions", "", {{"type", "object"}}, [this](const Json&) {
                        const Json first = server_.request_client("roots/list", Json::object(), std::chrono::seconds(5));
                        const Json second = server_.request_client("sampling/createMessage", {{"maxTokens", 5}},
                                                                   std::chrono::seconds(5));
                        return text_result(first["result"]["roots"].dump() + " " + second["result"]["content"]["text"].get<std::string>());
                      }});
    http_ = std::make_unique<McpHttpServer>(server_, McpHttpServer::Options{});
    const int port = http_->bind();
    serving_ = std::thread([this] { http_->serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
  }
  ~StatelessServing() override {
    http_->stop();
    serving_.join();
  }

  static McpServer::Options options() {
    McpServer::Options o;
    o.name = "stateless-test";
    return o;
  }

  // POSTs `message` with the headers a stateless client sends, `overrides` replacing them.
  httplib::Result post(const Json& message, const httplib::Headers& overrides = {}) {
    httplib::Headers headers = {{"Accept", "application/json, text/event-stream"},
                                {"MCP-Protocol-Version", "2026-07-28"},
                                {"Mcp-Method", message["method"].get<std::string>()}};
    if (message["params"].contains("name")) headers.emplace("Mcp-Name", message["params"]["name"].get<std::string>());
    for (const auto& [name, value] : overrides) {
      headers.erase(name);
      if (!value.empty()) headers.emplace(name, value);
    }
    return client_->Post("/mcp", headers, message.dump(), "application/json");
  }

  McpServer server_;
  std::unique_ptr<McpHttpServer> http_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(StatelessServing, ARequestIsServedWithoutASessionAndItsResultCarriesTypeAndCacheHints) {
  const auto listed = post(stateless_request(3, "tools/list"));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_FALSE(listed->has_header("Mcp-Session-Id"));
  const Json body = Json::parse(listed->body);
  EXPECT_EQ(body["id"], 3);
  EXPECT_EQ(body["result"]["tools"].size(), 3u);
  EXPECT_EQ(body["result"]["resultType"], "complete");
  EXPECT_EQ(body["result"]["ttlMs"], 0);

  const Json discovered = Json::parse(post(stateless_request(4, "server/discover"))->body);
  EXPECT_EQ(discovered["result"]["supportedVersions"], Json::array({"2026-07-28"}));
  EXPECT_EQ(discovered["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "stateless-test");
}

TEST_F(StatelessServing, WhatTheRevisionRemovedOrNeverHadIsNotFound) {
  for (const char* method : {"initialize", "ping", "no/such/method"}) {
    const auto answer = post(stateless_request(5, method));
    EXPECT_EQ(answer->status, 404) << method;
    EXPECT_EQ(Json::parse(answer->body)["error"]["code"], -32601) << method;
  }
}

TEST_F(StatelessServing, MissingMetaIsInvalidParamsAndAnUnknownVersionNamesTheSupportedOnes) {
  const auto missing = post({{"jsonrpc", "2.0"}, {"id", 6}, {"method", "tools/list"}, {"params", Json::object()}});
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Json::parse(missing->body)["error"]["code"], -32602);
  EXPECT_EQ(Json::parse(missing->body)["id"], 6);

  Json future = stateless_request(7, "tools/list");
  future["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2099-01-01";
  const auto unsupported = post(future, {{"MCP-Protocol-Version", "2099-01-01"}});
  EXPECT_EQ(unsupported->status, 400);
  const Json error = Json::parse(unsupported->body)["error"];
  EXPECT_EQ(error["code"], -32022);
  EXPECT_EQ(error["data"]["requested"], "2099-01-01");
  EXPECT_EQ(error["data"]["supported"], Json::array({"2026-07-28"}));
}

TEST_F(StatelessServing, HeadersThatDisagreeWithTheBodyAreRefused) {
  const Json call = stateless_request(8, "tools/call", {{"name", "greet"}});
  for (const httplib::Headers& wrong : std::vector<httplib::Headers>{{{"Mcp-Method", "tools/list"}},
                                                                     {{"Mcp-Method", ""}},
                                                                     {{"Mcp-Name", "other"}},
                                                                     {{"MCP-Protocol-Version", "2025-11-25"}}}) {
    const auto refused = post(call, wrong);
    EXPECT_EQ(refused->status, 400) << wrong.begin()->first << ": " << wrong.begin()->second;
    EXPECT_EQ(Json::parse(refused->body)["error"]["code"], -32020) << refused->body;
  }
  // The Base64 form of the right name is the right name.
  EXPECT_EQ(post(call, {{"Mcp-Name", "=?base64?Z3JlZXQ=?="}})->status, 200);
}

TEST_F(StatelessServing, AHandlerAsksForInputThroughTheResultAndTrustsOnlyItsOwnState) {
  const Json first = Json::parse(post(stateless_request(9, "tools/call", {{"name", "greet"}}))->body)["result"];
  ASSERT_EQ(first["resultType"], "input_required") << first;
  EXPECT_EQ(first["inputRequests"]["name"]["method"], "elicitation/create");
  const std::string state = first["requestState"];

  const Json answers = {{"name", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}};
  const Json second = Json::parse(post(stateless_request(10, "tools/call", {{"name", "greet"},
                                                                            {"inputResponses", answers},
                                                                            {"requestState", state}}))
                                      ->body);
  EXPECT_EQ(second["result"]["content"][0]["text"], "hello Ada");
  EXPECT_EQ(second["result"]["resultType"], "complete");

  const Json forged = Json::parse(post(stateless_request(11, "tools/call", {{"name", "greet"},
                                                                            {"inputResponses", answers},
                                                                            {"requestState", state + "x"}}))
                                      ->body);
  EXPECT_EQ(forged["error"]["code"], -32602);
}

TEST_F(StatelessServing, RequestsToTheClientBecomeRoundsOfInputRequests) {
  const auto call = [&](int id, Json extra) {
    Json params = {{"name", "two_questions"}};
    params.update(extra);
    return Json::parse(post(stateless_request(id, "tools/call", params))->body)["result"];
  };
  const Json first = call(13, Json::object());
  ASSERT_EQ(first["resultType"], "input_required") << first;
  EXPECT_EQ(first["inputRequests"]["request-1"]["method"], "roots/list");
  const Json roots = {{"roots", Json::array({{{"uri", "file:///work"}}})}};
  const Json second = call(14, {{"inputResponses", {{"request-1", roots}}}, {"requestState", first["requestState"]}});
  ASSERT_EQ(second["resultType"], "input_required") << second;
  EXPECT_EQ(second["inputRequests"]["request-2"]["method"], "sampling/createMessage");
  EXPECT_FALSE(second["inputRequests"].contains("request-1"));
  // The retry carries only the latest answer; the first comes back in the state.
  const Json sampled = {{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "ok"}}}};
  const Json third = call(15, {{"inputResponses", {{"request-2", sampled}}}, {"requestState", second["requestState"]}});
  EXPECT_EQ(third["resultType"], "complete");
  EXPECT_EQ(third["content"][0]["text"], roots["roots"].dump() + " ok");
}

TEST_F(StatelessServing, ACapabilityTheClientDidNotDeclareIsNamedInA400) {
  const auto refused = post(stateless_request(12, "tools/call", {{"name", "needs_sampling"}}));
  EXPECT_EQ(refused->status, 400);
  const Json error = Json::parse(refused->body)["error"];
  EXPECT_EQ(error["code"], -32021);
  EXPECT_EQ(error["data"]["requiredCapabilities"], Json({{"sampling", Json::object()}}));
}

}  // namespace
}  // namespace aurite::mcp
