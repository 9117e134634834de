// A server's elicitation/create during a tool call, through McpHost and the example
// conformance server (stdio): it reaches the elicitor of the call that caused it, its
// answer reaches the server, a call without an elicitor declines, an answer that does not
// fit the schema is sent as a decline, and a host that does not answer elicitations does
// not announce the capability. A person who takes longer than the client's timeout does
// not time the call out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;

config::ClientConfig conformance_client(double timeout = 10.0) {
  config::ClientConfig client;
  client.client_id = "forms";
  client.command = testing::example_server_path("aurite-example-conformance-server").string();
  client.timeout = timeout;
  return client;
}

std::unique_ptr<McpHost> host_of(const config::ClientConfig& client, bool answers) {
  auto host = std::make_unique<McpHost>(std::vector<config::ClientConfig>{client}, std::filesystem::current_path());
  host->answer_elicitations(answers);
  return host;
}

TEST(Elicitation, TheCallsElicitorAnswersAndTheServerGetsTheAnswer) {
  auto host = host_of(conformance_client(), true);
  std::vector<ElicitationRequest> asked;
  const Elicitor accept_defaults = [&](const ElicitationRequest& request) -> std::optional<Json> {
    asked.push_back(request);
    return Json{{"action", "accept"}, {"content", schema_defaults(request.requested_schema())}};
  };
  const ToolResult result =
      host->call_tool("test_elicitation_sep1034_defaults", Json::object(), nullptr, {}, accept_defaults);
  ASSERT_FALSE(result.is_error) << result.text();
  EXPECT_THAT(result.text(), HasSubstr("action=accept"));
  EXPECT_THAT(result.text(), HasSubstr(R"("name":"John Doe")"));
  EXPECT_THAT(result.text(), HasSubstr(R"("age":30)"));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].client_id, "forms");
  EXPECT_EQ(asked[0].tool, "test_elicitation_sep1034_defaults");
  EXPECT_EQ(asked[0].message(), "Please review and update the form fields with defaults");
  EXPECT_FALSE(asked[0].url_mode());
  EXPECT_EQ(asked[0].timeout, std::chrono::milliseconds(10000));
}

TEST(Elicitation, ACallWithoutAnElicitorOrWithAnAnswerThatDoesNotFitDeclines) {
  auto host = host_of(conformance_client(), true);
  EXPECT_THAT(host->call_tool("test_elicitation", {{"message", "who?"}}).text(), HasSubstr("action=decline"));
  const Elicitor wrong = [](const ElicitationRequest&) -> std::optional<Json> {
    return Json{{"action", "accept"}, {"content", {{"username", 7}}}};  // not a string, email missing
  };
  EXPECT_THAT(host->call_tool("test_elicitation", {{"message", "who?"}}, nullptr, {}, wrong).text(),
              HasSubstr("action=decline"));
  const Elicitor nobody = [](const ElicitationRequest&) -> std::optional<Json> { return std::nullopt; };
  EXPECT_THAT(host->call_tool("test_elicitation", {{"message", "who?"}}, nullptr, {}, nobody).text(),
              HasSubstr("action=decline"));
}

TEST(Elicitation, AHostThatCannotAskDoesNotAnnounceTheCapability) {
  auto host = host_of(conformance_client(), false);
  const Elicitor never = [](const ElicitationRequest&) -> std::optional<Json> {
    ADD_FAILURE() << "asked without the capability";
    return std::nullopt;
  };
  const ToolResult result = host->call_tool("test_elicitation", {{"message", "who?"}}, nullptr, {}, never);
  EXPECT_TRUE(result.is_error);
  EXPECT_THAT(result.text(), HasSubstr("does not support elicitation"));
}

// The person answers only after the client's timeout (1 s) has passed twice over: the
// call is not timed out while the server waits for us.
TEST(Elicitation, ASlowPersonDoesNotTimeTheCallOut) {
  auto host = host_of(conformance_client(1.0), true);
  std::mutex mutex;
  std::condition_variable asked_cv;
  bool asked = false;
  std::promise<void> answer_now;
  auto released = answer_now.get_future().share();
  const Elicitor slow = [&](const ElicitationRequest&) -> std::optional<Json> {
    {
      std::lock_guard lock(mutex);
      asked = true;
    }
    asked_cv.notify_all();
    released.wait();
    return Json{{"action", "accept"}, {"content", {{"username", "ada"}, {"email", "ada@example.com"}}}};
  };
  auto call = std::async(std::launch::async, [&] {
    return host->call_tool("test_elicitation", {{"message", "who?"}}, nullptr, {}, slow);
  });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(asked_cv.wait_for(lock, std::chrono::seconds(10), [&] { return asked; }));
  }
  // Two client timeouts pass while the person thinks; the call must still be waiting.
  EXPECT_EQ(call.wait_for(std::chrono::milliseconds(2500)), std::future_status::timeout);
  answer_now.set_value();
  const ToolResult result = call.get();
  EXPECT_FALSE(result.is_error) << result.text();
  EXPECT_THAT(result.text(), HasSubstr(R"("username":"ada")"));
}

TEST(Elicitation, AnswersAreCheckedAgainstTheRequestedSchema) {
  ElicitationRequest request;
  request.params = {{"message", "m"},
                    {"requestedSchema",
                     {{"type", "object"},
                      {"properties",
                       {{"n", {{"type", "integer"}}}, {"s", {{"type", "string"}, {"enum", {"a", "b"}}}}}},
                      {"required", {"n"}}}}};
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "accept"}, {"content", {{"n", 1}, {"s", "a"}}}}), "");
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "accept"}, {"content", {{"s", "a"}}}}), "content.n: required");
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "accept"}, {"content", {{"n", "1"}}}}),
            "content.n: expected integer");
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "accept"}, {"content", {{"n", 1}, {"s", "c"}}}}),
            "content.s: not one of the values the schema allows");
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "accept"}, {"content", {{"n", 1}, {"x", 1}}}}),
            "content.x: not in the requested schema");
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "decline"}}), "");
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "maybe"}}),
            "action: expected \"accept\", \"decline\" or \"cancel\"");
  request.params = {{"mode", "url"}, {"url", "https://example.com/consent"}, {"message", "m"}};
  EXPECT_TRUE(request.url_mode());
  EXPECT_EQ(elicitation_answer_problem(request, {{"action", "accept"}}), "");
  EXPECT_EQ(schema_defaults({{"properties", {{"a", {{"default", 1}}}, {"b", {{"type", "string"}}}}}}),
            Json({{"a", 1}}));
}

}  // namespace
}  // namespace aurite::mcp
