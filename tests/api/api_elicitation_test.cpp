// A server's question during a streamed run's tool call, through a real `aurite serve`:
// the stream carries `elicitation_required`, POST /runs/{run_id}/elicitations/{id}
// answers it and the server gets the answer; an answer that does not fit is 400, one to
// a question no longer waiting 404; no answer within the client's timeout declines, and
// a run answered as JSON declines at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "api/serve_process.hpp"
#include "support/gated_project.hpp"
#include "support/temp_dir.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ApiElicitation : public ::testing::Test {
 protected:
  // Streams POST /runs for the form agent, calling `on_event` for each event as it
  // arrives (the run waits meanwhile for what it asks); the events in order.
  std::vector<SseEvent> stream_run(const ServeProcess& server, const std::function<void(const SseEvent&)>& on_event) {
    auto client = server.client();
    client->set_read_timeout(std::chrono::seconds(60));
    httplib::Request request;
    request.method = "POST";
    request.path = "/runs";
    request.headers = {{"Accept", "text/event-stream"}, {"X-API-Key", kApiKey}};
    request.body = json{{"name", "Form Agent"}, {"message", "fill it in"}}.dump();
    request.set_header("Content-Type", "application/json");
    std::string buffer;
    std::vector<SseEvent> events;
    request.content_receiver = [&](const char* data, std::size_t length, std::uint64_t, std::uint64_t) {
      buffer.append(data, length);
      for (auto end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
        for (auto& event : parse_events(buffer.substr(0, end + 2))) {
          on_event(event);
          events.push_back(std::move(event));
        }
        buffer.erase(0, end + 2);
      }
      return true;
    };
    const auto result = client->send(request);
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    return events;
  }

  static std::string answer_path(const SseEvent& event) {
    return "/runs/" + event.data["run_id"].get<std::string>() + "/elicitations/" + event.data["id"].get<std::string>();
  }

  TempDir dir_;
};

TEST_F(ApiElicitation, TheStreamAsksAndTheAnswerReachesTheServer) {
  ServeProcess server(demo_env(), write_forms_project(dir_).string());
  int asked = 0;
  const auto events = stream_run(server, [&](const SseEvent& event) {
    if (event.event != "elicitation_required") return;
    ++asked;
    EXPECT_EQ(event.data["client_id"], "forms");
    EXPECT_EQ(event.data["tool"], "test_elicitation_sep1034_defaults");
    EXPECT_EQ(event.data["mode"], "form");
    EXPECT_EQ(event.data["requested_schema"]["properties"]["age"]["default"], 30);
    EXPECT_EQ(event.data["timeout_ms"], 10000);
    const std::string path = answer_path(event);
    const json bad = expect_error(server.post(path, {{"action", "accept"}, {"content", {{"age", "old"}}}}), 400,
                                  "invalid_argument");
    EXPECT_THAT(bad["message"].get<std::string>(), HasSubstr("content.age: expected integer"));
    expect_error(server.post(path, {{"action", "accept"}, {"answer", 1}}), 400, "invalid_config");
    EXPECT_EQ(status_of(server.post(path, {{"action", "accept"},
                                           {"content", {{"name", "Ada"}, {"age", 36}, {"verified", false}}}})),
              200);
    expect_error(server.post(path, {{"action", "decline"}}), 404, "not_found");  // answered already
  });
  EXPECT_EQ(asked, 1);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "done");
  const std::string answer = events.back().data["final_text"].get<std::string>();
  EXPECT_THAT(answer, HasSubstr("action=accept"));
  EXPECT_THAT(answer, HasSubstr(R"("name":"Ada")"));
  EXPECT_THAT(answer, HasSubstr(R"("age":36)"));
}

TEST_F(ApiElicitation, NoAnswerWithinTheTimeoutDeclinesAndAJsonRunDeclinesAtOnce) {
  // The client's timeout bounds both the server's silence before it asks and the wait for
  // an answer; 3 s leaves a loaded machine time to ask before the call itself times out.
  ServeProcess server(demo_env(), write_forms_project(dir_, 3.0).string());
  std::string path;
  const auto events = stream_run(server, [&](const SseEvent& event) {
    if (event.event == "elicitation_required") path = answer_path(event);
  });
  ASSERT_FALSE(path.empty());
  ASSERT_FALSE(events.empty());
  EXPECT_THAT(events.back().data["final_text"].get<std::string>(), HasSubstr("action=decline"));
  expect_error(server.post(path, {{"action", "accept"}, {"content", json::object()}}), 404, "not_found");

  const json plain = json_of(server.post("/runs", {{"name", "Form Agent"}, {"message", "fill it in"}}));
  EXPECT_THAT(plain["final_text"].get<std::string>(), HasSubstr("action=decline"));
  expect_error(server.post("/runs/run_x/elicitations/eli_x", {{"action", "decline"}}), 404, "not_found");
}

}  // namespace
}  // namespace aurite::testing
