// `aurite serve` killed with SIGKILL while clients run agents on their sessions: the
// database is sound afterwards (PRAGMA integrity_check on SQLite; the history tables
// agree with each other on both backends), every acknowledged run is stored once, and a
// restarted server continues each session. The demo project on the test model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "api/serve_backend_test.hpp"
#include "support/history_consistency.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

constexpr int kClients = 4;
const std::string kFaultsAgent = "Weather Agent";

class ServeFaults : public ServeBackendTest {
 protected:
  std::vector<storage::Turn> turns_of(storage::StorageManager& storage, int client) {
    return storage.history()->load_history(kFaultsAgent, session(client), 100'000);
  }
  static std::string session(int client) { return "c" + std::to_string(client); }

  // The killed server's session leases outlive it by their TTL before the restarted one
  // may take the sessions: 5 s here instead of the default 30 s, which the restarted
  // server's first runs would otherwise spend waiting.
  std::map<std::string, std::string> fault_env() const {
    auto all = env();
    all["AURITE_SESSION_LEASE_TTL"] = "5";
    return all;
  }
};

// The message of a stored user turn that starts a run ("" for any other turn).
std::string run_message(const storage::Turn& turn) {
  if (turn.role != "user") return {};
  const json content = json::parse(turn.content_json);
  if (content.is_string()) return content;
  std::string text;
  for (const auto& block : content) {
    if (block.value("type", "") == "text") text += block.value("text", "");
  }
  return text;
}

TEST_P(ServeFaults, SigkillMidWriteLeavesASoundDatabaseAndARestartedServerContinuesTheSessions) {
  std::mutex mutex;
  std::map<int, std::vector<std::string>> acknowledged;  // client -> messages of its 200 runs
  std::atomic<int> completed{0};
  {
    ServeProcess server(fault_env());
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        for (int k = 0;; ++k) {
          const std::string message = "client " + std::to_string(c) + " run " + std::to_string(k);
          const auto result =
              server.post("/runs", {{"name", kFaultsAgent}, {"message", message}, {"session_id", session(c)}});
          if (!result || result->status != 200) return;  // the server is gone
          std::lock_guard lock(mutex);
          acknowledged[c].push_back(message);
          ++completed;
        }
      });
    }
    // Runs keep writing turns while the kill lands.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (completed < 3 * kClients && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    const bool busy = completed >= 3 * kClients;
    server.process().kill(SIGKILL);
    EXPECT_EQ(server.process().wait(), 128 + SIGKILL);
    for (auto& client : clients) client.join();
    ASSERT_TRUE(busy) << "only " << completed << " runs completed before the kill";
  }

  if (!is_postgres()) {
    EXPECT_EQ(sqlite_integrity_check(dir_ / "data/aurite.db"), "ok");
  }
  EXPECT_THAT(history_table_problems(url_), IsEmpty());
  auto storage = open();
  std::map<int, std::size_t> stored_before;
  for (int c = 0; c < kClients; ++c) {
    const auto turns = turns_of(*storage, c);
    stored_before[c] = turns.size();
    // The run the kill interrupted may have left its tool calls unanswered.
    EXPECT_THAT(tool_exchange_problems(turns, /*allow_unanswered=*/true), IsEmpty()) << session(c);
    std::map<std::string, int> runs;
    for (const auto& turn : turns) {
      if (const auto message = run_message(turn); !message.empty()) ++runs[message];
    }
    for (const auto& message : acknowledged[c]) EXPECT_EQ(runs[message], 1) << message;
    for (const auto& [message, count] : runs) EXPECT_EQ(count, 1) << message << " is stored twice";
  }

  ServeProcess restarted(fault_env());
  for (int c = 0; c < kClients; ++c) {
    const auto result = restarted.post(
        "/runs", {{"name", kFaultsAgent}, {"message", "after the restart"}, {"session_id", session(c)}});
    ASSERT_TRUE(result && result->status == 200)
        << (result ? result->body : httplib::to_string(result.error()));
    const auto loaded = json::parse(result->body)["history_turns_loaded"].get<std::size_t>();
    EXPECT_GT(loaded, 0u) << session(c);
    EXPECT_LE(loaded, stored_before[c]) << session(c);
    const auto turns = turns_of(*storage, c);
    // The new run's four turns end the session: its message, the tool calls, their
    // results, the answer.
    ASSERT_GE(turns.size(), 4u);
    EXPECT_EQ(run_message(turns[turns.size() - 4]), "after the restart") << session(c);
    EXPECT_THAT(tool_exchange_problems(turns, /*allow_unanswered=*/true), IsEmpty()) << session(c);
  }
  EXPECT_THAT(history_table_problems(url_), IsEmpty());
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ServeFaults);

}  // namespace
}  // namespace aurite::testing
