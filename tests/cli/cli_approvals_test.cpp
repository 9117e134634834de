// Approvals in the database, from the CLI, on both backends: `aurite run` without a
// person to ask stops with exit status 3 naming the waiting call; `aurite approvals`
// lists it, and approve or deny from another process continues the run (output and exit
// status as `aurite run`); a second decision is refused, naming who decided.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/gated_project.hpp"
#include "support/subprocess.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPlanningAgent = "Weather Planning Agent";

class ApprovalsCommand : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    project_ = testing::write_gated_demo_project(dir_);
  }

  testing::ProcessResult aurite(std::vector<std::string> args) const {
    testing::ProcessOptions options;
    options.unset_env = kStorageVariables;
    options.env = db_env();
    options.env["PATH"] = std::string(AURITE_BINARY_DIR) + "/bin:" + std::getenv("PATH");
    args.insert(args.begin(), {"--config", project_.string()});
    return testing::run_aurite(args, options);
  }

  // Runs the agent until it waits; the id of the waiting call.
  std::string paused_run() {
    const auto result = aurite({"--json", "run", kPlanningAgent, "Oslo tomorrow", "--session", "trip"});
    EXPECT_EQ(result.exit_code, 3) << result.err;
    const json out = json::parse(result.out);
    EXPECT_EQ(out["status"], "awaiting_approval");
    return out["pending_approvals"].at(0)["id"].get<std::string>();
  }

  bool plan_saved() const {
    return std::filesystem::exists(dir_ / "plans") && !std::filesystem::is_empty(dir_ / "plans");
  }

  std::filesystem::path project_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApprovalsCommand);

TEST_P(ApprovalsCommand, ARunWithNobodyToAskStopsWithStatusThreeNamingTheCall) {
  const auto result = aurite({"run", kPlanningAgent, "Oslo tomorrow", "--session", "trip"});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_THAT(result.err, HasSubstr("'Weather Planning Agent' waits for approval of 1 tool call (run run_"));
  EXPECT_THAT(result.err, HasSubstr("  apr_"));
  EXPECT_THAT(result.err, HasSubstr("save_plan {"));
  EXPECT_THAT(result.err, HasSubstr("(client 'planning_server' requires approval of save_plan)"));
  EXPECT_THAT(result.err, HasSubstr("aurite approvals approve ID"));
  EXPECT_EQ(result.out, "");  // no answer yet
  EXPECT_FALSE(plan_saved());

  const auto listed = aurite({"approvals", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("save_plan"));
  EXPECT_THAT(listed.out, HasSubstr("trip"));
  EXPECT_THAT(listed.out, HasSubstr("pending"));

  // The session waits: another run on it is refused, busy (3), naming what to do.
  const auto again = aurite({"run", kPlanningAgent, "and Bergen?", "--session", "trip"});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_THAT(again.err, HasSubstr("aurite approvals list --session trip"));
}

TEST_P(ApprovalsCommand, ApproveFromAnotherProcessContinuesTheRunAndPrintsItsAnswer) {
  const std::string id = paused_run();
  const auto listed = aurite({"--json", "approvals", "list", "--session", "trip"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json approvals = json::parse(listed.out)["approvals"];
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0]["id"], id);
  EXPECT_EQ(approvals[0]["status"], "pending");
  EXPECT_EQ(approvals[0]["agent"], kPlanningAgent);

  const auto approved = aurite({"approvals", "approve", id});
  EXPECT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_THAT(approved.err, HasSubstr("approved " + id + " save_plan for agent 'Weather Planning Agent'"));
  EXPECT_THAT(approved.out, HasSubstr("save_plan"));  // the answer, on stdout
  EXPECT_TRUE(plan_saved());

  const auto twice = aurite({"approvals", "deny", id});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("was already approved by "));
  EXPECT_THAT(twice.err, HasSubstr("@"));

  const auto all = aurite({"--json", "approvals", "list", "--all"});
  EXPECT_EQ(json::parse(all.out)["approvals"][0]["status"], "approved");
  EXPECT_EQ(aurite({"--json", "approvals", "list"}).out.find(id), std::string::npos);  // no longer pending
}

TEST_P(ApprovalsCommand, DenyWithAReasonContinuesWithoutRunningTheCall) {
  const std::string id = paused_run();
  const auto denied = aurite({"--json", "approvals", "deny", id, "--reason", "no plans this week"});
  EXPECT_EQ(denied.exit_code, 0) << denied.err;
  const json out = json::parse(denied.out);
  EXPECT_EQ(out["status"], "completed");
  EXPECT_THAT(out["final_text"].get<std::string>(), HasSubstr("denied by the user: no plans this week"));
  EXPECT_FALSE(plan_saved());
}

TEST_P(ApprovalsCommand, ApproveWithArgumentsRunsTheCallWithThem) {
  const std::string id = paused_run();
  const auto bad = aurite({"approvals", "approve", id, "--args", "[1]"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--args: not a JSON object"));
  const auto approved =
      aurite({"approvals", "approve", id, "--args", R"({"plan_name": "edited", "plan_content": "# Coat"})"});
  EXPECT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "plans" / "edited.md"));
}

// Two processes decide the same call at once: one continues the run, the other is told
// who decided; the plan is saved exactly when the approval won.
TEST_P(ApprovalsCommand, OfTwoProcessesDecidingAtOnceExactlyOneWins) {
  const std::string id = paused_run();
  auto approving = std::async(std::launch::async, [&] { return aurite({"approvals", "approve", id}); });
  auto denying = std::async(std::launch::async, [&] { return aurite({"approvals", "deny", id}); });
  const auto approved = approving.get();
  const auto denied = denying.get();
  ASSERT_NE(approved.exit_code == 0, denied.exit_code == 0) << approved.err << denied.err;
  const auto& lost = approved.exit_code == 0 ? denied : approved;
  EXPECT_EQ(lost.exit_code, 1);
  EXPECT_THAT(lost.err, HasSubstr("was already"));
  EXPECT_EQ(plan_saved(), approved.exit_code == 0);
}

TEST_P(ApprovalsCommand, AnUnknownIdIsNamed) {
  const auto result = aurite({"approvals", "approve", "apr_nothing"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("no approval with id 'apr_nothing'"));
}

// Without a database there is nothing to keep a waiting call in.
TEST(ApprovalsWithoutDatabase, TheCommandsSayToTurnItOn) {
  testing::ProcessOptions off;
  off.unset_env = kStorageVariables;
  const auto listed = testing::run_aurite({"approvals", "list"}, off);
  EXPECT_EQ(listed.exit_code, 2);
  EXPECT_THAT(listed.err, HasSubstr("AURITE_ENABLE_DB=true"));
  const auto approved = testing::run_aurite({"--config", kExampleProject, "approvals", "approve", "apr_x"}, off);
  EXPECT_EQ(approved.exit_code, 2);
  EXPECT_THAT(approved.err, HasSubstr("AURITE_ENABLE_DB=true"));
}

}  // namespace
}  // namespace aurite::cli
