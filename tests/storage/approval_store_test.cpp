// Tool calls waiting for a person, on both backends: a paused run and its approvals are
// written together, a decision changes a pending row once (of two managers deciding at
// once exactly one wins), and a run is claimed for continuing exactly once, only when
// none of its approvals is pending.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "storage/backend_fixture.hpp"

namespace aurite::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Optional;

storage::PausedRun run_of(const std::string& id, const std::string& session = "s1") {
  return {id, "mailer", session, 7, R"({"messages": []})"};
}

storage::PendingCall call_of(const std::string& id, const std::string& tool) {
  return {id, "toolu_" + id, tool, "mail", R"({"to": "ada@example.com"})", "client mail requires approval"};
}

class ApprovalStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    db_ = open();
    approvals_ = db_->approvals();
  }

  std::unique_ptr<storage::StorageManager> db_;
  storage::ApprovalStore* approvals_ = nullptr;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApprovalStoreTest);

TEST_P(ApprovalStoreTest, APausedRunKeepsItsCallsAndState) {
  approvals_->pause_run(run_of("run_1"), {call_of("apr_1", "send_mail"), call_of("apr_2", "delete_mail")});

  const auto of_run = approvals_->approvals_of_run("run_1");
  ASSERT_EQ(of_run.size(), 2U);
  EXPECT_EQ(of_run[0].id, "apr_1");
  EXPECT_EQ(of_run[1].id, "apr_2");
  const auto& first = of_run[0];
  EXPECT_EQ(first.run_id, "run_1");
  EXPECT_EQ(first.agent_name, "mailer");
  EXPECT_EQ(first.session_id, "s1");
  EXPECT_EQ(first.turn_seq, 7);
  EXPECT_EQ(first.call_id, "toolu_apr_1");
  EXPECT_EQ(first.tool, "send_mail");
  EXPECT_EQ(first.client_id, "mail");
  EXPECT_EQ(first.arguments_json, R"({"to": "ada@example.com"})");
  EXPECT_EQ(first.why, "client mail requires approval");
  EXPECT_EQ(first.status, "pending");
  EXPECT_EQ(first.created_at.size(), std::string("2026-12-03T07:00:00.000Z").size()) << first.created_at;
  EXPECT_EQ(first.decided_arguments_json, std::nullopt);
  EXPECT_EQ(first.decided_by, "");

  EXPECT_THAT(approvals_->waiting_run_on("mailer", "s1"), Optional(std::string("run_1")));
  EXPECT_EQ(approvals_->waiting_run_on("mailer", "s2"), std::nullopt);
  EXPECT_EQ(approvals_->waiting_run_on("other", "s1"), std::nullopt);
  EXPECT_EQ(db_->status().row_counts.at("approvals"), 2);
  EXPECT_EQ(db_->status().row_counts.at("paused_runs"), 1);
}

TEST_P(ApprovalStoreTest, APauseThatFailsWritesNothing) {
  approvals_->pause_run(run_of("run_1"), {call_of("apr_1", "send_mail")});
  // The second call's id is taken: the run and its first call must not stay behind.
  EXPECT_EQ(code_of([&] { approvals_->pause_run(run_of("run_2"), {call_of("apr_2", "a"), call_of("apr_1", "b")}); }),
            ErrorCode::kAlreadyExists);
  EXPECT_THAT(approvals_->approvals_of_run("run_2"), IsEmpty());
  EXPECT_EQ(approvals_->find_approval("apr_2"), std::nullopt);
  EXPECT_EQ(db_->status().row_counts.at("paused_runs"), 1);
}

TEST_P(ApprovalStoreTest, ListingFiltersByAgentSessionAndStatus) {
  approvals_->pause_run(run_of("run_1", "s1"), {call_of("apr_1", "send_mail")});
  next_millisecond();
  approvals_->pause_run(run_of("run_2", "s2"), {call_of("apr_2", "send_mail")});
  ASSERT_TRUE(approvals_->decide_approval("apr_1", true, std::nullopt, "", "ada@host"));

  auto ids = [&](std::optional<std::string> agent, std::optional<std::string> session, bool pending_only,
                 std::size_t limit = 100) {
    storage::ApprovalQuery query;
    query.agent_name = std::move(agent);
    query.session_id = std::move(session);
    query.pending_only = pending_only;
    query.limit = limit;
    std::vector<std::string> out;
    for (const auto& record : approvals_->list_approvals(query)) out.push_back(record.id);
    return out;
  };
  EXPECT_THAT(ids(std::nullopt, std::nullopt, true), ElementsAre("apr_2"));
  EXPECT_THAT(ids(std::nullopt, std::nullopt, false), ElementsAre("apr_2", "apr_1"));  // newest first
  EXPECT_THAT(ids(std::nullopt, "s1", false), ElementsAre("apr_1"));
  EXPECT_THAT(ids("mailer", "s2", true), ElementsAre("apr_2"));
  EXPECT_THAT(ids("other", std::nullopt, false), IsEmpty());
  EXPECT_THAT(ids(std::nullopt, std::nullopt, false, 1), ElementsAre("apr_2"));
}

TEST_P(ApprovalStoreTest, ADecisionIsMadeOnceAndRecordsWhoAndWhat) {
  approvals_->pause_run(run_of("run_1"), {call_of("apr_1", "send_mail")});
  EXPECT_TRUE(approvals_->decide_approval("apr_1", true, R"({"to": "bob@example.com"})", "", "ada@host"));
  EXPECT_FALSE(approvals_->decide_approval("apr_1", false, std::nullopt, "too late", "bob@host"));
  EXPECT_FALSE(approvals_->decide_approval("apr_unknown", true, std::nullopt, "", "bob@host"));

  const auto record = approvals_->find_approval("apr_1");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, "approved");
  EXPECT_THAT(record->decided_arguments_json, Optional(std::string(R"({"to": "bob@example.com"})")));
  EXPECT_EQ(record->decided_by, "ada@host");
  EXPECT_EQ(record->reason, "");
  EXPECT_FALSE(record->decided_at.empty());
}

TEST_P(ApprovalStoreTest, ARunIsClaimedOnceAndOnlyWhenNothingIsPending) {
  approvals_->pause_run(run_of("run_1"), {call_of("apr_1", "send_mail"), call_of("apr_2", "delete_mail")});
  ASSERT_TRUE(approvals_->decide_approval("apr_1", true, std::nullopt, "", "ada@host"));
  EXPECT_EQ(approvals_->claim_paused_run("run_1", "first"), std::nullopt);  // apr_2 still pending

  ASSERT_TRUE(approvals_->decide_approval("apr_2", false, std::nullopt, "not that one", "ada@host"));
  const auto claimed = approvals_->claim_paused_run("run_1", "first");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->agent_name, "mailer");
  EXPECT_EQ(claimed->session_id, "s1");
  EXPECT_EQ(claimed->turn_seq, 7);
  EXPECT_EQ(claimed->state_json, R"({"messages": []})");
  EXPECT_EQ(approvals_->claim_paused_run("run_1", "second"), std::nullopt);
  // A claimed run no longer waits, so the session is free again.
  EXPECT_EQ(approvals_->waiting_run_on("mailer", "s1"), std::nullopt);

  approvals_->finish_paused_run("run_1");
  approvals_->finish_paused_run("run_1");
  EXPECT_EQ(approvals_->claim_paused_run("run_1", "third"), std::nullopt);
}

// Two processes' worth of connections decide the same approval at once: exactly one wins.
TEST_P(ApprovalStoreTest, OfTwoManagersDecidingAtOnceExactlyOneWins) {
  approvals_->pause_run(run_of("run_1"), {call_of("apr_1", "send_mail")});
  auto other = open();
  for (int round = 0; round < 20; ++round) {
    const std::string id = "apr_r" + std::to_string(round);
    const std::string run = "run_r" + std::to_string(round);
    approvals_->pause_run(run_of(run, "s" + std::to_string(round)), {call_of(id, "send_mail")});
    std::atomic<bool> go{false};
    auto decide = [&](storage::StorageManager& db, bool approve, const std::string& who) {
      while (!go.load()) std::this_thread::yield();
      const bool won = db.approvals()->decide_approval(id, approve, std::nullopt, "", who);
      const bool claimed = won && db.approvals()->claim_paused_run(run, who).has_value();
      return std::pair(won, claimed);
    };
    auto a = std::async(std::launch::async, decide, std::ref(*db_), true, "a");
    auto b = std::async(std::launch::async, decide, std::ref(*other), false, "b");
    go = true;
    const auto [a_won, a_claimed] = a.get();
    const auto [b_won, b_claimed] = b.get();
    EXPECT_NE(a_won, b_won) << "round " << round;
    EXPECT_EQ(a_claimed, a_won) << "round " << round;
    EXPECT_EQ(b_claimed, b_won) << "round " << round;
    const auto record = approvals_->find_approval(id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->status, a_won ? "approved" : "denied");
    EXPECT_EQ(record->decided_by, a_won ? "a" : "b");
  }
}

TEST_P(ApprovalStoreTest, MigrationSixAddsTheTablesToADatabaseOfVersionFive) {
  db_->history()->append_turn("agent", "s", "user", R"([{"type": "text", "text": "kept"}])");
  db_.reset();
  exec_sql("DROP TABLE approvals");
  exec_sql("DROP TABLE paused_runs");
  exec_sql("DELETE FROM schema_migrations WHERE version = 6");
  auto db = open();
  const auto status = db->status();
  EXPECT_EQ(status.schema_version, 8);
  EXPECT_EQ(status.row_counts.at("approvals"), 0);
  EXPECT_EQ(status.row_counts.at("agent_history"), 1);
  db->approvals()->pause_run(run_of("run_1"), {call_of("apr_1", "send_mail")});
  EXPECT_THAT(db->approvals()->approvals_of_run("run_1"), ElementsAre(Field(&storage::ApprovalRecord::id, "apr_1")));
}

}  // namespace
}  // namespace aurite::testing
