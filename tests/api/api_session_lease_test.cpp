// Runs on one session through several `aurite serve` processes on one database, on both
// backends: they take turns (each run's turns contiguous, none inside another's tool
// exchange), `"on_busy": "reject"` is refused with 409 at once, and a server killed while
// it holds a session frees it after the lease's TTL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "api/serve_backend_test.hpp"
#include "support/history_consistency.hpp"
#include "support/scripted_http_server.hpp"
#include "support/wait_until.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ApiSessionLease : public ServeBackendTest {
 protected:
  static httplib::Result run(const ServeProcess& server, const std::string& agent, const std::string& message,
                             const std::string& session, const std::string& on_busy = "") {
    json body = {{"name", agent}, {"message", message}, {"session_id", session}};
    if (!on_busy.empty()) body["on_busy"] = on_busy;
    return server.post("/runs", body);
  }

  std::vector<storage::Turn> turns_of(const std::string& agent, const std::string& session) const {
    return open()->history()->load_turns(agent, session, 0, 100000);
  }
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiSessionLease);

TEST_P(ApiSessionLease, ConcurrentRunsOnOneSessionThroughTwoServersTakeTurns) {
  ServeProcess a(env());
  ServeProcess b(env());
  constexpr int kRuns = 20;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kRuns; ++i) {
    clients.emplace_back([&, i] {
      const auto result = run(i % 2 == 0 ? a : b, "Weather Agent", "m" + std::to_string(i), "one");
      if (result && result->status == 200) ++ok;
      else ADD_FAILURE() << (result ? result->body : httplib::to_string(result.error()));
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok, kRuns);

  const auto turns = turns_of("Weather Agent", "one");
  ASSERT_EQ(turns.size(), 4u * kRuns);  // user, tool_use, tool_result, answer per run
  EXPECT_THAT(interleaving_problems(turns), ::testing::IsEmpty());
  EXPECT_THAT(tool_exchange_problems(turns, false), ::testing::IsEmpty());
  EXPECT_THAT(history_table_problems(url_), ::testing::IsEmpty());
  std::set<std::string> messages;
  for (std::size_t i = 0; i < turns.size(); i += 4) {
    const json first = json::parse(turns[i].content_json);
    messages.insert(first.is_string() ? first.get<std::string>() : first.at(0).value("text", ""));
  }
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(kRuns));  // every run started a block of its own
}

TEST_P(ApiSessionLease, RejectIs409WhileAnotherProcessHoldsTheSessionAndWaitEndsAtItsBound) {
  auto all = env();
  all["AURITE_SESSION_WAIT"] = "1";
  ServeProcess server(all);
  // This test process holds the session, as another server's run would.
  auto db = open();
  ASSERT_TRUE(db->leases()->try_take_lease("Weather Agent", "held", "elsewhere", now_ms(), now_ms() + 60'000));

  const auto started = std::chrono::steady_clock::now();
  const json refused = expect_error(run(server, "Weather Agent", "now?", "held", "reject"), 409, "session_busy");
  EXPECT_THAT(refused["message"].get<std::string>(), HasSubstr("session 'held' of agent 'Weather Agent' is busy"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // refused at once, not after the wait
  expect_error(run(server, "Weather Agent", "later?", "held"), 409, "session_busy");  // waited 1 s
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_TRUE(turns_of("Weather Agent", "held").empty());  // a refused run stores nothing

  // Other sessions are not held up, and the session is free once released.
  const auto other = run(server, "Weather Agent", "hi", "free", "reject");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;
  db->leases()->release_lease("Weather Agent", "held", "elsewhere");
  const auto after = run(server, "Weather Agent", "now?", "held", "reject");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200) << after->body;
  EXPECT_EQ(turns_of("Weather Agent", "held").size(), 4u);

  const json bad = expect_error(run(server, "Weather Agent", "x", "held", "sometimes"), 400, "invalid_config");
  ASSERT_TRUE(bad["details"].is_array()) << bad;
  EXPECT_EQ(bad["details"][0]["path"], "on_busy") << bad;
}

TEST_P(ApiSessionLease, ASessionHeldByAKilledServerIsFreeAfterTheLeaseTtl) {
  // A model that never answers the first request, so the run holds its session until killed.
  ScriptedHttpServer model;
  ScriptedReply hang;
  hang.hang = true;
  model.push(hang);
  model.push_json(R"({"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
                      "content": [{"type": "text", "text": "done"}], "stop_reason": "end_turn",
                      "usage": {"input_tokens": 1, "output_tokens": 1}})");
  const auto project = dir_.path() / "lease_project.json";
  std::ofstream(project) << json{{"name", "lease"},
                                 {"llms", {{{"llm_id", "slow"}, {"provider", "anthropic"}, {"model", "m"},
                                            {"base_url", model.base_url()}}}},
                                 {"agents", {{{"name", "Slow Agent"}, {"llm_config_id", "slow"},
                                              {"include_history", true}}}}}
                                .dump();
  auto all = env();
  all["AURITE_SESSION_LEASE_TTL"] = "1";
  all["ANTHROPIC_API_KEY"] = "test-model-key";
  ServeProcess doomed(all, project.string());
  ServeProcess survivor(all, project.string());

  std::thread stuck([&] { run(doomed, "Slow Agent", "first", "s"); });  // ends when the server dies
  ASSERT_TRUE(wait_until([&] { return model.requests().size() == 1; }));  // it holds the session now
  expect_error(run(survivor, "Slow Agent", "second", "s", "reject"), 409, "session_busy");
  doomed.process().kill(SIGKILL);
  EXPECT_EQ(doomed.process().wait(), 128 + SIGKILL);
  stuck.join();

  const auto started = std::chrono::steady_clock::now();
  const auto result = run(survivor, "Slow Agent", "second", "s");  // waits out the dead holder's lease
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(json::parse(result->body)["final_text"], "done");
}

}  // namespace
}  // namespace aurite::testing
