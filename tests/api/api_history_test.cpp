// Sessions and history over the API on both backends, several servers sharing one
// database, and a clean stop while a run is in flight.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "api/serve_backend_test.hpp"
#include "support/postgres_server.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;

const std::string kAgentInPath = "Weather%20Agent";

// The text of a stored turn's content (a string or text blocks).
std::string text_of(const json& content) {
  if (content.is_string()) return content;
  std::string text;
  for (const auto& block : content) {
    if (block.value("type", "") == "text") text += block.value("text", "");
  }
  return text;
}

class ApiHistory : public ServeBackendTest {
 protected:
  static json run(const ServeProcess& server, const std::string& message, const std::string& session) {
    const auto result = server.post("/runs", {{"name", "Weather Agent"}, {"message", message}, {"session_id", session}});
    EXPECT_TRUE(result && result->status == 200) << (result ? result->body : httplib::to_string(result.error()));
    return result ? json::parse(result->body) : json();
  }

  // Every turn of the session, read page by page.
  static std::vector<json> all_turns(const ServeProcess& server, const std::string& session, int page = 5) {
    std::vector<json> turns;
    json after = 0;
    while (!after.is_null()) {
      const json body = json_of(server.get("/sessions/" + kAgentInPath + "/" + session + "/turns?limit=" +
                                            std::to_string(page) + "&after_seq=" + after.dump()));
      if (!body.contains("turns")) break;
      for (const auto& turn : body["turns"]) turns.push_back(turn);
      after = body["next_after_seq"];
    }
    return turns;
  }
};

TEST_P(ApiHistory, SessionsAreListedPagedAndDeleted) {
  ServeProcess server(env());
  const json ready = json_of(server.get("/health/ready"));
  EXPECT_EQ(ready["database"]["enabled"], true);
  EXPECT_EQ(ready["database"]["backend"], is_postgres() ? "postgresql" : "sqlite");

  run(server, "first", "s1");
  EXPECT_EQ(run(server, "second", "s1")["history_turns_loaded"], 4);
  run(server, "other", "s2");
  run(server, "third", "s3");

  const json first = json_of(server.get("/sessions?agent=" + kAgentInPath + "&limit=2"));
  ASSERT_EQ(first["sessions"].size(), 2u) << first;
  EXPECT_EQ(first["sessions"][0]["session_id"], "s3");  // newest first
  ASSERT_TRUE(first["next_cursor"].is_string()) << first;
  const json second = json_of(server.get("/sessions?agent=" + kAgentInPath + "&limit=2&cursor=" +
                                         segment(first["next_cursor"].get<std::string>())));
  ASSERT_EQ(second["sessions"].size(), 1u) << second;
  EXPECT_EQ(second["sessions"][0]["session_id"], "s1");
  EXPECT_EQ(second["sessions"][0]["turn_count"], 8);
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_TRUE(json_of(server.get("/sessions?agent=Nobody"))["sessions"].empty());

  const json page = json_of(server.get("/sessions/" + kAgentInPath + "/s1/turns?limit=3"));
  ASSERT_EQ(page["turns"].size(), 3u) << page;
  EXPECT_EQ(page["turns"][0]["seq"], 1);
  EXPECT_EQ(page["turns"][0]["role"], "user");
  EXPECT_EQ(text_of(page["turns"][0]["content"]), "first");
  EXPECT_EQ(page["next_after_seq"], 3);
  const auto turns = all_turns(server, "s1", 3);
  ASSERT_EQ(turns.size(), 8u);
  for (std::size_t i = 0; i < turns.size(); ++i) EXPECT_EQ(turns[i]["seq"], i + 1);
  EXPECT_EQ(text_of(turns[4]["content"]), "second");

  expect_error(server.get("/sessions?limit=0"), 400, "invalid_argument");
  expect_error(server.get("/sessions?limit=ten"), 400, "invalid_argument");
  const auto forged = expect_error(server.get("/sessions?cursor=forged"), 400, "invalid_argument");
  EXPECT_EQ(forged["message"], "cursor: not one we issued (pass the next_cursor of the previous page, or none for the first)");
  expect_error(server.get("/sessions/" + kAgentInPath + "/s1/turns?after_seq=-1"), 400, "invalid_argument");
  expect_error(server.get("/sessions/" + kAgentInPath + "/nope/turns"), 404, "not_found");

  const auto deleted = server.del("/sessions/" + kAgentInPath + "/s2");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  expect_error(server.del("/sessions/" + kAgentInPath + "/s2"), 404, "not_found");
  expect_error(server.get("/sessions/" + kAgentInPath + "/s2/turns"), 404, "not_found");
}

TEST_P(ApiHistory, ASessionContinuedThroughAnotherServerKeepsItsOrder) {
  ServeProcess a(env());
  ServeProcess b(env());
  EXPECT_EQ(run(a, "one", "shared")["history_turns_loaded"], 0);
  EXPECT_EQ(run(b, "two", "shared")["history_turns_loaded"], 4);
  EXPECT_EQ(run(a, "three", "shared")["history_turns_loaded"], 8);
  const auto turns = all_turns(b, "shared");
  ASSERT_EQ(turns.size(), 12u);
  for (std::size_t i = 0; i < turns.size(); ++i) EXPECT_EQ(turns[i]["seq"], i + 1);
  EXPECT_EQ(text_of(turns[0]["content"]), "one");
  EXPECT_EQ(text_of(turns[4]["content"]), "two");
  EXPECT_EQ(text_of(turns[8]["content"]), "three");

  // Eight clients at once, half through each server, on one session: nothing lost.
  constexpr int kClients = 8;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const auto result = (i % 2 == 0 ? a : b).post(
          "/runs", {{"name", "Weather Agent"}, {"message", "m" + std::to_string(i)}, {"session_id", "crowd"}});
      if (result && result->status == 200) ++ok;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok, kClients);
  const auto crowd = all_turns(a, "crowd", 100);
  ASSERT_EQ(crowd.size(), 4u * kClients);
  std::multiset<std::string> messages;
  for (std::size_t i = 0; i < crowd.size(); ++i) {
    EXPECT_EQ(crowd[i]["seq"], i + 1);
    const std::string text = text_of(crowd[i]["content"]);
    if (crowd[i]["role"] == "user" && text.size() == 2 && text[0] == 'm') messages.insert(text);
  }
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(kClients));
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(messages.count("m" + std::to_string(i)), 1u);
}

TEST_P(ApiHistory, SigtermDuringARunLetsItFinishThenExitsZero) {
  // The demo project with a weather server that takes a second to start, so the run is
  // still in flight when the signal comes.
  json project = json::parse(std::ifstream(demo_project()));
  project["clients"][0]["command"] = "sh";
  project["clients"][0]["args"] = {"-c", "sleep 1; exec aurite-example-weather-server"};
  const auto config = dir_.write("slow/aurite_config.json", project.dump(2));
  ServeProcess server(env(), config.string());

  httplib::Result result{nullptr, httplib::Error::Unknown};
  std::thread runner([&] {
    result = server.post("/runs", {{"name", "Weather Agent"}, {"message", "slow"}, {"session_id", "t"}});
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool in_flight = false;
  auto health = server.client(false);
  while (!in_flight && std::chrono::steady_clock::now() < deadline) {
    const auto h = health->Get("/health");
    in_flight = h && json::parse(h->body)["runs_in_flight"] == 1;
  }
  ASSERT_TRUE(in_flight);
  server.process().kill(SIGTERM);
  runner.join();
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(json::parse(result->body)["status"], "completed");
  EXPECT_EQ(server.process().wait_for(std::chrono::seconds(30)), std::optional<int>(0));

  auto storage = open();
  EXPECT_EQ(storage->history()->load_history("Weather Agent", "t", 100).size(), 4u);
}

TEST_P(ApiHistory, ReadinessIs503WhileTheDatabaseIsDown) {
  if (!is_postgres()) GTEST_SKIP() << "a SQLite file cannot go away like a server";
  ServeProcess server(env());
  EXPECT_EQ(server.get("/health/ready")->status, 200);
  PostgresServer::shared().stop();
  expect_error(server.get("/health/ready"), 503, "unavailable");
  expect_error(server.get("/sessions"), 503, "unavailable");
  EXPECT_EQ(server.get("/health")->status, 200);  // alive all the same
  PostgresServer::shared().start();
  EXPECT_EQ(server.get("/health/ready")->status, 200);
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiHistory);

}  // namespace
}  // namespace aurite::testing
