// PostgreSQL stopped and started again while eight agents run with history on, each in
// its own session, through one facade (as `aurite serve` runs them). Afterwards every
// acknowledged run (one that returned a result) has all the turns it reported stored
// exactly once and in order; runs during the outage failed with an error naming
// host:port and never the password; nothing is duplicated; every session's seqs are
// 1..n. The test model and our test MCP server: the turns include tool exchanges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "aurite/common/error.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "mcp/mcp_test_support.hpp"
#include "storage/scoped_env.hpp"
#include "support/history_consistency.hpp"
#include "support/postgres_server.hpp"

namespace aurite::execution {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int kAgents = 8;

struct RunOutcome {
  std::string message;  // unique per run: "agent T run K"
  bool acknowledged = false;
  bool started_after_recovery = false;
  std::vector<llm::Message> turns;  // what an acknowledged run reported
  std::string error;
};

// Eight threads running the agent over and over, each on its own session, until told
// to stop; every outcome is kept.
class AgentCrowd {
 public:
  explicit AgentCrowd(ExecutionFacade& facade) : facade_(facade) {
    for (int t = 0; t < kAgents; ++t) threads_.emplace_back([this, t] { loop(t); });
  }
  ~AgentCrowd() { stop(); }

  void stop() {
    stopping_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  void recovered() { recovered_ = true; }

  int acknowledged() const { return acknowledged_; }
  int failed() const { return failed_; }
  // How many agents have completed a run started after recovered().
  int agents_back() const {
    std::lock_guard lock(mutex_);
    int back = 0;
    for (const auto& runs : outcomes_) {
      back += std::any_of(runs.begin(), runs.end(),
                          [](const RunOutcome& o) { return o.acknowledged && o.started_after_recovery; });
    }
    return back;
  }
  const std::vector<RunOutcome>& runs_of(int agent) const {
    return outcomes_[static_cast<std::size_t>(agent)];
  }

 private:
  void loop(int t) {
    for (int k = 0; !stopping_; ++k) {
      RunOutcome outcome;
      outcome.message = "agent " + std::to_string(t) + " run " + std::to_string(k);
      outcome.started_after_recovery = recovered_;
      try {
        outcome.turns = facade_.run_agent("Worker", outcome.message, "s" + std::to_string(t)).new_turns;
        outcome.acknowledged = true;
        ++acknowledged_;
      } catch (const Error& error) {
        outcome.error = error.what();
        ++failed_;
      }
      const bool failed = !outcome.acknowledged;
      {
        std::lock_guard lock(mutex_);
        outcomes_[static_cast<std::size_t>(t)].push_back(std::move(outcome));
      }
      // A refused connection fails at once; pause so eight loops do not spin on it.
      if (failed) std::this_thread::sleep_for(50ms);
    }
  }

  ExecutionFacade& facade_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> recovered_{false};
  std::atomic<int> acknowledged_{0};
  std::atomic<int> failed_{0};
  mutable std::mutex mutex_;
  std::vector<std::vector<RunOutcome>> outcomes_ = std::vector<std::vector<RunOutcome>>(kAgents);
  std::vector<std::thread> threads_;
};

// The message of a stored turn that starts a run ("" for any other turn).
std::string user_message_of(const storage::Turn& turn) {
  if (turn.role != "user") return {};
  const auto message =
      llm::message_from_json({{"role", "user"}, {"content", Json::parse(turn.content_json)}});
  return llm::is_tool_result_message(message) ? std::string() : llm::text_of(message.content);
}

TEST(HistoryOutageFaults, PostgresRestartUnderEightAgentsKeepsEveryAcknowledgedTurnOnce) {
  auto& server = testing::PostgresServer::shared();
  const std::string url = server.url(server.create_database());
  std::unique_ptr<storage::StorageManager> storage;
  {
    testing::ScopedEnv env;
    env.clear_storage().set("AURITE_ENABLE_DB", "true").set("AURITE_DB_URL", url);
    storage = storage::StorageManager::open(storage::load_storage_settings());
  }
  config::ProjectConfig project;
  project.clients = {testing::test_client("test_server")};
  project.llms = {testing::offline_llm()};
  auto agent = testing::offline_agent("Worker", {"test_server"});
  for (const auto& tool : testing::kTestServerTools) {
    if (tool != "echo") agent.exclude_components.push_back(tool);
  }
  project.agents = {agent};
  testing::ProjectRun run(project, storage->history());
  run.mcp->start();

  AgentCrowd crowd(*run.facade);
  ASSERT_TRUE(testing::wait_until([&] { return crowd.acknowledged() >= 2 * kAgents; }, 60s))
      << "the agents did not get going";
  server.stop();
  const int failed_before = crowd.failed();
  ASSERT_TRUE(testing::wait_until([&] { return crowd.failed() >= failed_before + kAgents; }, 30s))
      << "no run failed while the database was down";
  server.start();
  crowd.recovered();
  ASSERT_TRUE(testing::wait_until([&] { return crowd.agents_back() == kAgents; }, 60s))
      << "only " << crowd.agents_back() << " agents completed a run after the restart";
  crowd.stop();

  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  std::set<std::string> all_messages;
  for (int t = 0; t < kAgents; ++t) {
    const auto turns = storage->history()->load_history("Worker", "s" + std::to_string(t), 100'000);
    for (std::size_t k = 0; k < turns.size(); ++k) ASSERT_EQ(turns[k].seq, static_cast<std::int64_t>(k + 1));
    std::map<std::string, std::size_t> position;  // first turn of each run, by message
    for (std::size_t k = 0; k < turns.size(); ++k) {
      const std::string message = user_message_of(turns[k]);
      if (message.empty()) continue;
      EXPECT_TRUE(position.emplace(message, k).second) << "'" << message << "' is stored twice";
    }
    for (const auto& outcome : crowd.runs_of(t)) {
      EXPECT_TRUE(all_messages.insert(outcome.message).second);
      if (!outcome.acknowledged) {
        EXPECT_THAT(outcome.error, HasSubstr(where)) << outcome.message;
        EXPECT_THAT(outcome.error, Not(HasSubstr(server.password()))) << outcome.message;
        continue;
      }
      const auto at = position.find(outcome.message);
      ASSERT_NE(at, position.end()) << "acknowledged run '" << outcome.message << "' is not stored";
      const std::size_t first = at->second;
      ASSERT_LE(first + outcome.turns.size(), turns.size()) << outcome.message;
      for (std::size_t k = 0; k < outcome.turns.size(); ++k) {
        const auto& stored = turns[first + k];
        EXPECT_EQ(stored.role, outcome.turns[k].role) << outcome.message << " turn " << k;
        EXPECT_EQ(Json::parse(stored.content_json), outcome.turns[k].content)
            << outcome.message << " turn " << k;
      }
    }
  }
  for (int t = 0; t < kAgents; ++t) {
    // A failed run may have left its tool calls unanswered; every stored result answers one.
    const auto turns = storage->history()->load_history("Worker", "s" + std::to_string(t), 100'000);
    EXPECT_THAT(testing::tool_exchange_problems(turns, /*allow_unanswered=*/true), ::testing::IsEmpty())
        << "s" << t;
  }
  EXPECT_GT(crowd.failed(), 0);
  EXPECT_THAT(testing::history_table_problems(url), ::testing::IsEmpty());
}

}  // namespace
}  // namespace aurite::execution
