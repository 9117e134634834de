// Runs as resources through real `aurite serve` processes, on both backends: every run
// has an id and a row, listed newest first in keyset pages; a background run answers 202
// at once; its events are read from any point (Last-Event-ID) and from another server on
// the same database; DELETE cancels a run in whichever server runs it; a client that
// disconnects stops a run only when it asked to; and a server killed under its run
// leaves it interrupted for the next server that looks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "api/serve_backend_test.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/scripted_http_server.hpp"
#include "support/wait_until.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kAgent = "Weather Agent";

std::string anthropic_text(const std::string& text) {
  return json{{"id", "msg_1"},       {"type", "message"}, {"role", "assistant"}, {"model", "m"},
              {"content", {{{"type", "text"}, {"text", text}}}}, {"stop_reason", "end_turn"},
              {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}}
      .dump();
}

std::string anthropic_sleep(int ms) {
  return json{{"id", "msg_2"},
              {"type", "message"},
              {"role", "assistant"},
              {"model", "m"},
              {"content", {{{"type", "tool_use"}, {"id", "t1"}, {"name", "sleep"}, {"input", {{"ms", ms}}}}}},
              {"stop_reason", "tool_use"},
              {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}}
      .dump();
}

// The same, streamed (a streamed POST /runs asks the model to stream its answer).
ScriptedReply streamed(const std::string& answer) {
  const json message = json::parse(answer);
  const auto frame = [](const std::string& event, const json& data) {
    return "event: " + event + "\ndata: " + data.dump() + "\n\n";
  };
  ScriptedReply reply;
  reply.chunks.push_back(frame("message_start", {{"type", "message_start"}, {"message", {{"usage", {{"input_tokens", 1}}}}}}));
  for (std::size_t i = 0; i < message["content"].size(); ++i) {
    json block = message["content"][i];
    json start = block;
    if (block["type"] == "tool_use") start["input"] = json::object();
    if (block["type"] == "text") start["text"] = "";
    reply.chunks.push_back(frame("content_block_start", {{"type", "content_block_start"}, {"index", i}, {"content_block", start}}));
    const json delta = block["type"] == "text" ? json{{"type", "text_delta"}, {"text", block["text"]}}
                                               : json{{"type", "input_json_delta"}, {"partial_json", block["input"].dump()}};
    reply.chunks.push_back(frame("content_block_delta", {{"type", "content_block_delta"}, {"index", i}, {"delta", delta}}));
    reply.chunks.push_back(frame("content_block_stop", {{"type", "content_block_stop"}, {"index", i}}));
  }
  reply.chunks.push_back(frame("message_delta", {{"type", "message_delta"},
                                                 {"delta", {{"stop_reason", message["stop_reason"]}}},
                                                 {"usage", {{"output_tokens", 1}}}}));
  reply.chunks.push_back(frame("message_stop", {{"type", "message_stop"}}));
  return reply;
}

class ApiRuns : public ServeBackendTest {
 protected:
  // "Slow Agent" on the scripted model, with the test server's sleep tool.
  std::string slow_project() {
    json exclude = json::array();
    for (const auto& tool : kTestServerTools) {
      if (tool != "sleep") exclude.push_back(tool);
    }
    const auto path = dir_.path() / "slow_project.json";
    std::ofstream(path) << json{{"name", "slow"},
                                {"clients", {{{"client_id", "sleeper"}, {"command", AURITE_TEST_MCP_SERVER},
                                              {"exclude", exclude}}}},
                                {"llms", {{{"llm_id", "scripted"}, {"provider", "anthropic"}, {"model", "m"},
                                           {"base_url", model_.base_url()}}}},
                                {"agents", {{{"name", "Slow Agent"}, {"llm_config_id", "scripted"},
                                             {"client_ids", {"sleeper"}}, {"include_history", true}}}}}
                                   .dump();
    return path.string();
  }

  std::map<std::string, std::string> slow_env() const {
    auto all = env();
    all["ANTHROPIC_API_KEY"] = "test-model-key";
    all["AURITE_RUN_HEARTBEAT_MS"] = "100";
    return all;
  }

  static json run_of(const ServeProcess& server, const std::string& id) { return json_of(server.get("/runs/" + id)); }

  static bool status_becomes(const ServeProcess& server, const std::string& id, const std::string& status) {
    return wait_until([&] { return run_of(server, id)["status"] == status; }, 20s);
  }

  static std::vector<SseEvent> events_of(const ServeProcess& server, const std::string& id,
                                         const std::string& last_event_id = "") {
    httplib::Headers headers;
    if (!last_event_id.empty()) headers.emplace("Last-Event-ID", last_event_id);
    const auto result = server.client()->Get("/runs/" + id + "/events", headers);
    EXPECT_EQ(status_of(result), 200) << (result ? result->body : "");
    return result ? parse_events(result->body) : std::vector<SseEvent>{};
  }

  ScriptedHttpServer model_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiRuns);

TEST_P(ApiRuns, EveryRunHasAnIdAndARowListedNewestFirstInPages) {
  ServeProcess server(env());
  std::vector<std::string> ids;
  for (const char* city : {"Oslo", "Lima", "Pune"}) {
    const json out = json_of(server.post("/runs", {{"name", kAgent}, {"message", std::string("Weather in ") + city + "?"}}));
    ASSERT_TRUE(out.contains("run_id")) << out;
    ids.push_back(out["run_id"]);
    const json row = run_of(server, ids.back());
    EXPECT_EQ(row["status"], "completed") << row;
    EXPECT_EQ(row["kind"], "agent");
    EXPECT_EQ(row["name"], kAgent);
    EXPECT_EQ(row["final_text"], out["final_text"]);
    EXPECT_EQ(row["result"]["run_id"], ids.back());
    EXPECT_FALSE(row["finished_at"].is_null());
    EXPECT_EQ(row.value("process", "absent"), "absent");  // it names a host: not shown
    next_millisecond();
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3u);
  EXPECT_EQ(ids[0].size(), 4u + 32u);  // run_ and 128 bits in hex

  const json first = json_of(server.get("/runs?limit=2"));
  ASSERT_EQ(first["runs"].size(), 2u) << first;
  EXPECT_EQ(first["runs"][0]["run_id"], ids[2]);
  EXPECT_EQ(first["runs"][1]["run_id"], ids[1]);
  ASSERT_TRUE(first["next_cursor"].is_string()) << first;
  const json second = json_of(server.get("/runs?limit=2&cursor=" + first["next_cursor"].get<std::string>()));
  ASSERT_EQ(second["runs"].size(), 1u) << second;
  EXPECT_EQ(second["runs"][0]["run_id"], ids[0]);
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_EQ(json_of(server.get("/runs?name=Nobody"))["runs"].size(), 0u);
  EXPECT_EQ(json_of(server.get("/runs?status=completed&agent=Weather%20Agent"))["runs"].size(), 3u);

  expect_error(server.get("/runs?status=done"), 400, "invalid_argument");
  expect_error(server.get("/runs?cursor=nonsense"), 400, "invalid_argument");
  expect_error(server.get("/runs/run_nope"), 404, "not_found");
  expect_error(server.get("/runs/run_nope/events"), 404, "not_found");
  expect_error(server.post("/runs", {{"name", kAgent}, {"message", "hi"}, {"background", "yes"}}), 400, "invalid_config");
}

TEST_P(ApiRuns, ABackgroundRunAnswersAtOnceAndItsEventsAreReadFromAnyPointOnAnyServer) {
  ServeProcess server(env());
  const auto accepted = server.post("/runs", {{"name", kAgent}, {"message", "Weather in Oslo?"}, {"background", true}});
  ASSERT_EQ(status_of(accepted), 202) << (accepted ? accepted->body : "");
  const json queued = json_of(accepted);
  const std::string id = queued["run_id"];
  EXPECT_EQ(queued["status"], "queued");
  EXPECT_EQ(queued["links"]["events"], "/runs/" + id + "/events");
  ASSERT_TRUE(status_becomes(server, id, "completed")) << run_of(server, id);

  const auto events = events_of(server, id);
  ASSERT_GE(events.size(), 4u);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].id, static_cast<std::int64_t>(i) + 1);
  EXPECT_EQ(events.front().event, "run");
  EXPECT_EQ(events.back().event, "done");
  EXPECT_EQ(events.back().data["final_text"], run_of(server, id)["final_text"]);

  const auto rest = events_of(server, id, "2");
  ASSERT_EQ(rest.size(), events.size() - 2);
  EXPECT_EQ(rest.front().id, 3);
  EXPECT_EQ(rest.front().event, events[2].event);
  const auto after = server.client()->Get("/runs/" + id + "/events?after=" + std::to_string(events.size()));
  ASSERT_EQ(status_of(after), 200);
  EXPECT_TRUE(parse_events(after->body).empty()) << after->body;

  ServeProcess other(env());
  const auto seen_elsewhere = events_of(other, id);
  ASSERT_EQ(seen_elsewhere.size(), events.size());
  EXPECT_EQ(seen_elsewhere.back().data, events.back().data);
  expect_error(other.client()->Get("/runs/" + id + "/events", {{"Last-Event-ID", "two"}}), 400, "invalid_argument");
}

TEST_P(ApiRuns, DeleteCancelsARunInWhicheverServerRunsItAndItsFollowersSeeItEnd) {
  ScriptedReply hang;
  hang.hang = true;
  model_.push(hang);
  const std::string project = slow_project();
  ServeProcess runner(slow_env(), project);
  ServeProcess other(slow_env(), project);
  const json queued = json_of(
      runner.post("/runs", {{"name", "Slow Agent"}, {"message", "wait"}, {"session_id", "s"}, {"background", true}}));
  const std::string id = queued["run_id"];
  ASSERT_TRUE(wait_until([&] { return model_.requests().size() == 1; }, 20s)) << "the run never asked its model";

  std::vector<SseEvent> followed;
  std::thread follower([&] { followed = events_of(other, id); });
  const auto asked = other.del("/runs/" + id);
  EXPECT_EQ(status_of(asked), 202) << (asked ? asked->body : "");  // another server runs it: it is asked
  EXPECT_EQ(json_of(asked)["cancel_requested"], true);
  ASSERT_TRUE(status_becomes(runner, id, "cancelled")) << run_of(runner, id);
  follower.join();
  ASSERT_FALSE(followed.empty());
  EXPECT_EQ(followed.back().event, "error");
  EXPECT_EQ(followed.back().data["error"]["code"], "cancelled");
  EXPECT_EQ(run_of(other, id)["error"]["code"], "cancelled");

  const json again = expect_error(runner.del("/runs/" + id), 409, "conflict");
  EXPECT_THAT(again["message"].get<std::string>(), HasSubstr("has ended (cancelled)"));
  expect_error(runner.del("/runs/run_nope"), 404, "not_found");
  // The session is free for the next run, which loads what the cancelled one stored.
  model_.push_json(anthropic_text("next"));
  const json next = json_of(runner.post("/runs", {{"name", "Slow Agent"}, {"message", "next"}, {"session_id", "s"}}));
  EXPECT_EQ(next["final_text"], "next") << next;
}

// An HTTP/1.1 POST over a raw socket, read until `until` appears, then closed: a client
// that goes away in the middle of a stream.
void post_and_hang_up(int port, const json& body, const std::string& until) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string text = body.dump();
  const std::string request = "POST /runs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + std::string(kApiKey) +
                              "\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n" + text;
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::string seen;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (seen.find(until) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    seen.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  ASSERT_NE(seen.find(until), std::string::npos) << seen;
}

TEST_P(ApiRuns, AClientThatDisconnectsStopsTheRunOnlyWhenItAskedTo) {
  const std::string project = slow_project();
  ServeProcess server(slow_env(), project);
  for (const bool cancel : {false, true}) {
    SCOPED_TRACE(cancel ? "cancel_on_disconnect" : "kept running");
    const std::size_t asked_before = model_.requests().size();
    model_.push(streamed(anthropic_sleep(1500)));
    model_.push(streamed(anthropic_text("slept")));
    const std::string session = cancel ? "gone" : "kept";
    post_and_hang_up(server.port(),
                     {{"name", "Slow Agent"}, {"message", "sleep"}, {"session_id", session}, {"cancel_on_disconnect", cancel}},
                     "event: tool_call");
    std::string id;
    ASSERT_TRUE(wait_until([&] {
      const json page = json_of(server.get("/runs?session=" + session));
      if (page["runs"].empty()) return false;
      id = page["runs"][0]["run_id"];
      const std::string status = page["runs"][0]["status"];
      return status != "running" && status != "queued";
    }, 20s));
    const json row = run_of(server, id);
    if (cancel) {
      EXPECT_EQ(row["status"], "cancelled") << row;
      EXPECT_EQ(model_.requests().size(), asked_before + 1) << "the model was asked again after the client left";
    } else {
      EXPECT_EQ(row["status"], "completed") << row;
      EXPECT_EQ(row["final_text"], "slept");
    }
  }
}

TEST_P(ApiRuns, AServerKilledUnderItsRunLeavesItInterruptedForTheNextServerThatLooks) {
  ScriptedReply hang;
  hang.hang = true;
  model_.push(hang);
  const std::string project = slow_project();
  ServeProcess doomed(slow_env(), project);
  const json queued = json_of(
      doomed.post("/runs", {{"name", "Slow Agent"}, {"message", "wait"}, {"session_id", "s"}, {"background", true}}));
  const std::string id = queued["run_id"];
  ASSERT_TRUE(wait_until([&] { return model_.requests().size() == 1; }, 20s));
  doomed.process().kill(SIGKILL);
  EXPECT_EQ(doomed.process().wait(), 128 + SIGKILL);

  ServeProcess survivor(slow_env(), project);
  ASSERT_TRUE(status_becomes(survivor, id, "interrupted")) << run_of(survivor, id);
  const json row = run_of(survivor, id);
  EXPECT_THAT(row["error"]["message"].get<std::string>(), HasSubstr("stopped beating"));
  EXPECT_FALSE(row["finished_at"].is_null());
  expect_error(survivor.del("/runs/" + id), 409, "conflict");
}

}  // namespace
}  // namespace aurite::testing
