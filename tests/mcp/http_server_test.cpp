// The server library on Streamable HTTP, spoken to with a plain HTTP client: sessions,
// where each message travels (JSON, a request's SSE stream, the client's answers as
// POSTs), and the refusals (DNS rebinding, protocol version, a taken port).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/server.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/subprocess.hpp"

namespace aurite::mcp {
namespace {

using testing::jsonrpc_request;

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

const Json kInitialize = jsonrpc_request(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                                   {"capabilities", {{"sampling", Json::object()}}},
                                                   {"clientInfo", {{"name", "test"}, {"version", "1"}}}});

// The data of each SSE event in `body`, parsed.
std::vector<Json> sse_messages(const std::string& body) {
  std::vector<Json> out;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    const auto end = body.find('\n', at);
    if (end == std::string::npos) break;  // not all there yet
    const std::string data = body.substr(at + 6, end - at - 6);
    if (!data.empty()) out.push_back(Json::parse(data));  // empty: the event that names the stream
    at = end;
  }
  return out;
}

// An McpServer with a few tools, served on a free loopback port for one test.
class HttpServing : public ::testing::Test {
 protected:
  HttpServing() : server_(options()) {
    server_.add_tool({"plain", "", {{"type", "object"}}, [](const Json&) { return text_result("plain answer"); }});
    server_.add_tool({"steps", "", {{"type", "object"}}, [this](const Json&) {
                        server_.report_progress(1, 2);
                        server_.report_progress(2, 2);
                        return text_result("done");
                      }});
    server_.add_tool({"ask", "", {{"type", "object"}}, [this](const Json&) {
                        const Json answer = server_.request_client("sampling/createMessage", {{"maxTokens", 5}},
                                                                   std::chrono::seconds(10));
                        return text_result("client said " + answer["result"]["content"]["text"].get<std::string>());
                      }});
    // Written for the stateless revision's multi round-trip requests; in a session the
    // library asks the client itself.
    server_.add_tool({"ask_name", "", {{"type", "object"}}, [this](const Json&) {
                        const Json answers = server_.input_responses();
                        if (!answers.contains("who")) {
                          throw InputRequired{{{"who", {{"method", "elicitation/create"},
                                                        {"params", {{"message", "name?"}}}}}},
                                              ""};
                        }
                        return text_result("hello " + answers["who"]["content"]["name"].get<std::string>());
                      }});
    server_.add_tool({"pause", "", {{"type", "object"}}, [this](const Json&) {
                        server_.close_sse_stream();
                        return text_result("after the pause");
                      }});
    http_ = std::make_unique<McpHttpServer>(server_, McpHttpServer::Options{});
    port_ = http_->bind();
    serving_ = std::thread([this] { http_->serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(std::chrono::seconds(10));
  }
  ~HttpServing() override {
    http_->stop();
    serving_.join();
  }

  static McpServer::Options options() {
    McpServer::Options o;
    o.name = "http-test";
    return o;
  }

  httplib::Result post(const Json& message, httplib::Headers headers = {}) {
    headers.emplace("Accept", "application/json, text/event-stream");
    return client_->Post("/mcp", headers, message.dump(), "application/json");
  }

  // Initializes a session and returns its id.
  std::string open_session() {
    const auto response = post(kInitialize);
    EXPECT_EQ(response->status, 200);
    const std::string id = response->get_header_value("Mcp-Session-Id");
    EXPECT_EQ(post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, {{"Mcp-Session-Id", id}})->status, 202);
    return id;
  }

  McpServer server_;
  std::unique_ptr<McpHttpServer> http_;
  int port_ = 0;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServing, InitializeGivesARandomSessionIdThatLaterRequestsNeed) {
  const auto first = post(kInitialize);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_THAT(first->get_header_value("Content-Type"), HasSubstr("application/json"));
  EXPECT_EQ(Json::parse(first->body)["result"]["serverInfo"]["name"], "http-test");
  const std::string id = first->get_header_value("Mcp-Session-Id");
  EXPECT_THAT(id, MatchesRegex("[0-9a-f]{64}"));
  EXPECT_NE(post(kInitialize)->get_header_value("Mcp-Session-Id"), id);

  const auto listed = post(jsonrpc_request(2, "tools/list"), {{"Mcp-Session-Id", id}});
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(Json::parse(listed->body)["result"]["tools"].size(), 5u);
  EXPECT_EQ(post(jsonrpc_request(3, "tools/list"))->status, 400);
  EXPECT_EQ(post(jsonrpc_request(4, "tools/list"), {{"Mcp-Session-Id", std::string(64, 'a')}})->status, 404);
}

TEST_F(HttpServing, DeleteEndsTheSession) {
  const std::string id = open_session();
  const auto deleted = client_->Delete("/mcp", {{"Mcp-Session-Id", id}});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  EXPECT_EQ(post(jsonrpc_request(2, "ping"), {{"Mcp-Session-Id", id}})->status, 404);
  EXPECT_EQ(client_->Delete("/mcp", {{"Mcp-Session-Id", id}})->status, 404);
}

TEST_F(HttpServing, AnAnswerWithNothingBeforeItIsPlainJson) {
  const std::string id = open_session();
  const auto called = post(jsonrpc_request(2, "tools/call", {{"name", "plain"}}), {{"Mcp-Session-Id", id}});
  EXPECT_THAT(called->get_header_value("Content-Type"), HasSubstr("application/json"));
  EXPECT_EQ(Json::parse(called->body)["result"]["content"][0]["text"], "plain answer");
}

TEST_F(HttpServing, ProgressTravelsOnTheCallsStreamBeforeTheResult) {
  const std::string id = open_session();
  const auto called = post(jsonrpc_request(7, "tools/call", {{"name", "steps"}, {"_meta", {{"progressToken", "p1"}}}}),
                           {{"Mcp-Session-Id", id}});
  ASSERT_TRUE(called);
  EXPECT_THAT(called->get_header_value("Content-Type"), HasSubstr("text/event-stream"));
  const auto messages = sse_messages(called->body);
  ASSERT_EQ(messages.size(), 3u) << called->body;
  EXPECT_EQ(messages[0]["method"], "notifications/progress");
  EXPECT_EQ(messages[0]["params"]["progressToken"], "p1");
  EXPECT_EQ(messages[1]["params"]["progress"], 2);
  EXPECT_EQ(messages[2]["id"], 7);
  EXPECT_EQ(messages[2]["result"]["content"][0]["text"], "done");
  EXPECT_THAT(called->body, HasSubstr("id: "));  // events carry ids
}

// Calls `tool` in session `session`, answering the server's requests to the client with
// `answer(method)` as POSTs while the call's stream is still open. Returns the messages
// of the stream; `answer_statuses` gets the status of each answering POST.
std::vector<Json> call_answering(httplib::Client& client, int port, const std::string& session, int id,
                                 const std::string& tool, const std::function<Json(const std::string&)>& answer,
                                 std::vector<int>& answer_statuses) {
  httplib::Client answerer("127.0.0.1", port);
  std::string body;
  std::size_t answered = 0;
  httplib::Request call;
  call.method = "POST";
  call.path = "/mcp";
  call.headers = {{"Mcp-Session-Id", session}, {"Accept", "application/json, text/event-stream"},
                  {"Content-Type", "application/json"}};
  call.body = jsonrpc_request(id, "tools/call", {{"name", tool}}).dump();
  call.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
    body.append(data, size);
    const auto messages = sse_messages(body);
    std::size_t requests = 0;
    for (const auto& message : messages) {
      if (!message.contains("method") || !message.contains("id") || ++requests <= answered) continue;
      ++answered;
      const Json reply = {{"jsonrpc", "2.0"}, {"id", message["id"]}, {"result", answer(message["method"])}};
      answer_statuses.push_back(answerer.Post("/mcp", {{"Mcp-Session-Id", session}}, reply.dump(), "application/json")->status);
    }
    return true;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  EXPECT_TRUE(client.send(call, response, error)) << httplib::to_string(error);
  return sse_messages(body);
}

TEST_F(HttpServing, ARequestToTheClientGoesOnTheCallsStreamAndItsAnswerComesBackAsAPost) {
  const std::string id = open_session();
  std::vector<int> answer_statuses;
  std::vector<std::string> asked;
  const auto messages = call_answering(*client_, port_, id, 9, "ask", [&](const std::string& method) {
    asked.push_back(method);
    return Json{{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "hi"}}}};
  }, answer_statuses);
  EXPECT_EQ(asked, std::vector<std::string>{"sampling/createMessage"});
  EXPECT_EQ(answer_statuses, std::vector<int>{202});
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1]["id"], 9);
  EXPECT_EQ(messages[1]["result"]["content"][0]["text"], "client said hi");
}

TEST_F(HttpServing, AHandlerThatAsksForInputIsAnsweredByAskingTheClientInASession) {
  const std::string id = open_session();
  std::vector<int> answer_statuses;
  std::vector<std::string> asked;
  const auto messages = call_answering(*client_, port_, id, 10, "ask_name", [&](const std::string& method) {
    asked.push_back(method);
    return Json{{"action", "accept"}, {"content", {{"name", "Ada"}}}};
  }, answer_statuses);
  EXPECT_EQ(asked, std::vector<std::string>{"elicitation/create"});
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back()["result"]["content"][0]["text"], "hello Ada");
}

TEST_F(HttpServing, AStreamEndedBeforeItsAnswerIsResumedWithLastEventId) {
  const std::string id = open_session();
  const auto paused = post(jsonrpc_request(11, "tools/call", {{"name", "pause"}}), {{"Mcp-Session-Id", id}});
  ASSERT_TRUE(paused);
  EXPECT_THAT(paused->body, HasSubstr("retry: "));
  EXPECT_TRUE(sse_messages(paused->body).empty()) << paused->body;  // only the event naming the stream
  const auto start = paused->body.find("id: ") + 4;
  const std::string last_event = paused->body.substr(start, paused->body.find('\n', start) - start);

  const auto resumed = client_->Get("/mcp", {{"Mcp-Session-Id", id}, {"Accept", "text/event-stream"},
                                             {"Last-Event-ID", last_event}});
  ASSERT_TRUE(resumed);
  const auto messages = sse_messages(resumed->body);
  ASSERT_EQ(messages.size(), 1u) << resumed->body;
  EXPECT_EQ(messages[0]["id"], 11);
  EXPECT_EQ(messages[0]["result"]["content"][0]["text"], "after the pause");
}

TEST_F(HttpServing, ToolListChangesGoOnTheSessionsGetStream) {
  const std::string id = open_session();
  httplib::Client listener("127.0.0.1", port_);
  std::promise<std::string> first_event;
  bool got = false;
  std::thread listening([&] {
    listener.Get("/mcp", {{"Mcp-Session-Id", id}, {"Accept", "text/event-stream"}},
                 [&](const char* data, std::size_t size) {
                   if (!got) first_event.set_value(std::string(data, size));
                   got = true;
                   return false;  // one event is enough
                 });
  });
  auto event = first_event.get_future();
  // The stream may not be open yet when the change happens; announce until it is heard.
  ASSERT_TRUE(testing::wait_until([&] {
    server_.notify_tools_changed();
    return event.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
  }));
  listening.join();
  EXPECT_EQ(sse_messages(event.get()).at(0)["method"], "notifications/tools/list_changed");
}

TEST_F(HttpServing, AForeignOriginOrHostIsRefused) {
  EXPECT_EQ(post(kInitialize, {{"Origin", "http://evil.example.com"}})->status, 403);
  EXPECT_EQ(post(kInitialize, {{"Host", "evil.example.com"}})->status, 403);
  EXPECT_EQ(post(kInitialize, {{"Origin", "http://localhost:" + std::to_string(port_)}})->status, 200);
  EXPECT_EQ(post(kInitialize, {{"Origin", "http://[::1]:1234"}})->status, 200);
}

TEST_F(HttpServing, AnUnsupportedProtocolVersionHeaderIsRefused) {
  const std::string id = open_session();
  EXPECT_EQ(post(jsonrpc_request(2, "ping"), {{"Mcp-Session-Id", id}, {"MCP-Protocol-Version", "1999-01-01"}})->status, 400);
  EXPECT_EQ(post(jsonrpc_request(3, "ping"), {{"Mcp-Session-Id", id}, {"MCP-Protocol-Version", "2025-11-25"}})->status, 200);
}

TEST_F(HttpServing, ATakenPortIsAClearErrorAndExitStatusTwo) {
  const std::string endpoint = "127.0.0.1:" + std::to_string(port_);
  aurite::testing::ProcessOptions options;
  options.timeout = std::chrono::seconds(20);
  const auto result = aurite::testing::run_process(
      {testing::example_server_path("aurite-example-weather-server").string(), "--http", endpoint}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("address already in use: " + endpoint));
  // The port is still ours.
  EXPECT_EQ(post(kInitialize)->status, 200);
}

}  // namespace
}  // namespace aurite::mcp
