// Gated calls that wait in the database, on both backends: the run stores the model turn,
// runs the ungated calls, records the gated ones and stops; a decision from another
// facade on its own connections (another process's worth) takes the run up, and the
// history that results answers every tool_use exactly once. Exactly one of two deciders
// wins, and a call never runs without an approval recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>

#include "aurite/common/error.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::execution {
namespace {

using testing::BackendTest;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Json = nlohmann::json;
using Mode = config::ApprovalRule::Mode;

// Every tool_use of a stored assistant turn is answered exactly once by the turn right
// after it, and nothing else answers anything.
void expect_tool_pairs_safe(const std::vector<storage::Turn>& turns) {
  for (std::size_t i = 0; i < turns.size(); ++i) {
    const llm::Message message = llm::message_from_json({{"role", turns[i].role}, {"content", Json::parse(turns[i].content_json)}});
    const auto uses = llm::tool_uses_of(message);
    if (uses.empty()) continue;
    ASSERT_LT(i + 1, turns.size()) << "turn " << turns[i].seq << " has calls and nothing after it";
    const Json results = Json::parse(turns[i + 1].content_json);
    std::multiset<std::string> answered;
    for (const auto& block : results) {
      if (block.value("type", "") == "tool_result") answered.insert(block.value("tool_use_id", ""));
    }
    std::multiset<std::string> called;
    for (const auto& use : uses) called.insert(use.value("id", ""));
    EXPECT_EQ(answered, called) << "turn " << turns[i + 1].seq;
  }
}

std::vector<std::string> tools_of(const AgentResult& result) {
  std::vector<std::string> out;
  for (const auto& call : result.tool_calls) out.push_back(call.name);
  return out;
}

class ApprovalPause : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.clients = testing::example_clients(dir_ / "plans");
    for (auto& client : project_.clients) {
      if (client.client_id == "planning_server") client.require_approval = config::ApprovalRule{Mode::kTools, {"save_plan"}};
    }
    project_.llms = {testing::offline_llm()};
    project_.agents = {testing::offline_agent("Planner", {"weather_server", "planning_server"})};
  }

  // A facade on a database connection of its own, as another process has.
  struct Process {
    std::unique_ptr<storage::StorageManager> storage;
    std::unique_ptr<testing::ProjectRun> run;
  };
  Process process() {
    Process p;
    p.storage = open();
    p.run = std::make_unique<testing::ProjectRun>(project_, p.storage->history(), p.storage->approvals());
    return p;
  }

  AgentResult run_pausing(testing::ProjectRun& run, const std::string& session = "s1") {
    RunOptions options;
    options.may_pause = true;
    return run.facade->run_agent("Planner", "plan a trip to Oslo", session, nullptr, options);
  }

  std::vector<storage::Turn> stored(const std::string& session = "s1") {
    return storage_->history()->load_history("Planner", session, 1000);
  }

  bool plan_saved() const {
    return std::filesystem::exists(dir_ / "plans") && !std::filesystem::is_empty(dir_ / "plans");
  }

  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApprovalPause);

TEST_P(ApprovalPause, AGatedCallIsRecordedNotRunAndTheUngatedOnesOfItsTurnRun) {
  auto first = process();
  const AgentResult result = run_pausing(*first.run);
  EXPECT_EQ(result.status, RunStatus::kAwaitingApproval);
  ASSERT_EQ(result.pending_approvals.size(), 1u);
  const PendingApproval& pending = result.pending_approvals[0];
  EXPECT_EQ(pending.tool, "save_plan");
  EXPECT_EQ(pending.client_id, "planning_server");
  EXPECT_EQ(pending.why, "client 'planning_server' requires approval of save_plan");
  EXPECT_FALSE(plan_saved());
  EXPECT_THAT(tools_of(result), UnorderedElementsAre("weather_lookup", "current_time", "list_plans"));

  // The model turn is stored; its results are not, until the run goes on.
  const auto turns = stored();
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[1].role, "assistant");
  const auto record = storage_->approvals()->find_approval(pending.id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, "pending");
  EXPECT_EQ(record->run_id, result.paused_run_id);
  EXPECT_EQ(record->turn_seq, turns[1].seq);
  EXPECT_EQ(record->call_id, pending.call_id);
  EXPECT_EQ(Json::parse(record->arguments_json), pending.arguments);

  const Json json = result.to_json();
  EXPECT_EQ(json["status"], "awaiting_approval");
  EXPECT_EQ(json["run_id"], result.paused_run_id);
  EXPECT_EQ(json["pending_approvals"][0]["id"], pending.id);

  // The session is not run on while it waits: the next answer would miss the call's result.
  std::string message;
  EXPECT_EQ(testing::code_of([&] { run_pausing(*first.run); }, &message), ErrorCode::kSessionBusy);
  EXPECT_THAT(message, HasSubstr("waits for approval"));
  EXPECT_THAT(message, HasSubstr("aurite approvals list --session s1"));
  EXPECT_EQ(stored().size(), 2u);
}

TEST_P(ApprovalPause, AnApprovalFromAnotherProcessContinuesTheRunInItsSession) {
  std::string id;
  {
    auto first = process();
    id = run_pausing(*first.run).pending_approvals.at(0).id;
  }  // the first process is gone
  auto second = process();
  const Json out = second.run->facade->decide_approval(id, {true, std::nullopt, ""}, "ada@host");
  EXPECT_EQ(out["kind"], "agent");
  EXPECT_EQ(out["status"], "completed");
  EXPECT_EQ(out["approval"]["status"], "approved");
  EXPECT_EQ(out["approval"]["decided_by"], "ada@host");
  EXPECT_TRUE(plan_saved());
  ASSERT_EQ(out["tool_calls"].size(), 1u);  // only the call run here
  EXPECT_EQ(out["tool_calls"][0]["name"], "save_plan");
  EXPECT_FALSE(out["tool_calls"][0]["is_error"].get<bool>());

  const auto turns = stored();
  ASSERT_EQ(turns.size(), 4u);  // user, calls, all four results, answer
  expect_tool_pairs_safe(turns);
  EXPECT_EQ(Json::parse(turns[2].content_json).size(), 4u);
  EXPECT_EQ(storage_->approvals()->waiting_run_on("Planner", "s1"), std::nullopt);
  // The history loads as any other: the next run sees all of it (and waits at its own
  // save_plan).
  const AgentResult next = run_pausing(*second.run);
  EXPECT_EQ(next.history_turns_loaded, 4u);
  EXPECT_EQ(next.status, RunStatus::kAwaitingApproval);
}

TEST_P(ApprovalPause, ADeniedCallNeverRunsAndTheModelReadsTheReason) {
  auto first = process();
  const std::string id = run_pausing(*first.run).pending_approvals.at(0).id;
  const Json out = first.run->facade->decide_approval(id, {false, std::nullopt, "not today"}, "ada@host");
  EXPECT_EQ(out["status"], "completed");
  EXPECT_FALSE(plan_saved());
  EXPECT_THAT(out["final_text"].get<std::string>(), HasSubstr("save_plan (error): denied by the user: not today"));
  EXPECT_EQ(out["approval"]["reason"], "not today");
  expect_tool_pairs_safe(stored());
}

TEST_P(ApprovalPause, AnApprovalWithOtherArgumentsRunsWithThem) {
  auto first = process();
  const std::string id = run_pausing(*first.run).pending_approvals.at(0).id;
  const Json edited = {{"plan_name", "edited"}, {"plan_content", "# Edited"}};
  const Json out = first.run->facade->decide_approval(id, {true, edited, ""}, "ada@host");
  EXPECT_EQ(out["tool_calls"][0]["input"], edited);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "plans" / "edited.md"));
  EXPECT_EQ(out["approval"]["decided_arguments"], edited);
  // A non-object is refused before anything is recorded.
  EXPECT_EQ(testing::code_of([&] { first.run->facade->decide_approval(id, {true, Json::array(), ""}, "x"); }),
            ErrorCode::kInvalidArgument);
}

TEST_P(ApprovalPause, EachCallOfATurnIsDecidedAndTheLastDecisionContinues) {
  for (auto& client : project_.clients) {
    if (client.client_id == "planning_server") client.require_approval = config::ApprovalRule{Mode::kAll, {}};
  }
  auto first = process();
  const AgentResult paused = run_pausing(*first.run);
  ASSERT_EQ(paused.pending_approvals.size(), 2u);
  const Json waiting =
      first.run->facade->decide_approval(paused.pending_approvals[0].id, {true, std::nullopt, ""}, "ada@host");
  EXPECT_EQ(waiting["kind"], "approval");
  EXPECT_EQ(waiting["status"], "awaiting_approval");
  ASSERT_EQ(waiting["pending_approvals"].size(), 1u);
  EXPECT_EQ(waiting["pending_approvals"][0]["id"], paused.pending_approvals[1].id);
  EXPECT_EQ(stored().size(), 2u);  // nothing more until every call is decided

  const Json done =
      first.run->facade->decide_approval(paused.pending_approvals[1].id, {false, std::nullopt, ""}, "ada@host");
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["tool_calls"].size(), 2u);
  expect_tool_pairs_safe(stored());
}

TEST_P(ApprovalPause, ASecondDecisionIsRefusedNamingWhoDecidedWhen) {
  auto first = process();
  const std::string id = run_pausing(*first.run).pending_approvals.at(0).id;
  first.run->facade->decide_approval(id, {false, std::nullopt, "no"}, "ada@host");
  std::string message;
  EXPECT_EQ(testing::code_of([&] { first.run->facade->decide_approval(id, {true, std::nullopt, ""}, "bob@host"); },
                             &message),
            ErrorCode::kAlreadyDecided);
  EXPECT_THAT(message, HasSubstr("already denied by ada@host at 20"));
  EXPECT_FALSE(plan_saved());
  EXPECT_EQ(testing::code_of([&] { first.run->facade->decide_approval("apr_nothing", {true, std::nullopt, ""}, "x"); }),
            ErrorCode::kNotFound);
}

TEST_P(ApprovalPause, OfTwoProcessesDecidingAtOnceExactlyOneWinsAndTheRunGoesOnOnce) {
  std::string id;
  {
    auto first = process();
    id = run_pausing(*first.run).pending_approvals.at(0).id;
  }
  auto a = process();
  auto b = process();
  std::atomic<bool> go{false};
  auto decide = [&](Process& p, bool approve) -> std::optional<Json> {
    while (!go.load()) std::this_thread::yield();
    try {
      return p.run->facade->decide_approval(id, {approve, std::nullopt, ""}, approve ? "a" : "b");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kAlreadyDecided) << e.what();
      return std::nullopt;
    }
  };
  auto approving = std::async(std::launch::async, decide, std::ref(a), true);
  auto denying = std::async(std::launch::async, decide, std::ref(b), false);
  go = true;
  const auto approved = approving.get();
  const auto denied = denying.get();
  ASSERT_NE(approved.has_value(), denied.has_value());
  EXPECT_EQ(plan_saved(), approved.has_value());
  const auto turns = stored();
  EXPECT_EQ(turns.size(), 4u);
  expect_tool_pairs_safe(turns);
}

TEST_P(ApprovalPause, WithoutHistoryTheRunKeepsItsConversationInThePausedRun) {
  project_.agents[0].include_history = false;
  auto first = process();
  const AgentResult paused = run_pausing(*first.run);
  ASSERT_EQ(paused.status, RunStatus::kAwaitingApproval);
  EXPECT_EQ(storage_->approvals()->find_approval(paused.pending_approvals.at(0).id)->turn_seq, 0);
  auto second = process();
  const Json out = second.run->facade->decide_approval(paused.pending_approvals[0].id, {true, std::nullopt, ""}, "x");
  EXPECT_EQ(out["status"], "completed");
  EXPECT_TRUE(plan_saved());
  EXPECT_TRUE(stored().empty());
}

TEST_P(ApprovalPause, AWorkflowStepDoesNotWaitAndRunsNothingOfItsTurn) {
  config::WorkflowConfig workflow;
  workflow.name = "Trip";
  workflow.steps = {config::WorkflowStep("Planner")};
  project_.workflows = {workflow};
  auto first = process();
  RunOptions options;
  options.may_pause = true;
  std::string message;
  EXPECT_EQ(testing::code_of([&] { first.run->facade->run_simple_workflow("Trip", "plan", "s1", nullptr, options); },
                             &message),
            ErrorCode::kApprovalRequired);
  EXPECT_THAT(message, HasSubstr("the steps of a workflow and the messages of a chat do not wait"));
  EXPECT_FALSE(plan_saved());
  EXPECT_TRUE(storage_->approvals()->list_approvals({}).empty());
}

// Without a database only a person at hand can decide.
TEST(ApprovalWithoutDatabase, AGatedCallThatNobodyDecidesSaysToTurnTheDatabaseOn) {
  ::aurite::testing::TempDir dir;
  config::ProjectConfig project;
  project.clients = testing::example_clients(dir.path() / "plans");
  for (auto& client : project.clients) client.require_approval = config::ApprovalRule{Mode::kTools, {"save_plan"}};
  project.llms = {testing::offline_llm()};
  project.agents = {testing::offline_agent("Planner", {"weather_server", "planning_server"}, false)};
  testing::ProjectRun run(project);
  RunOptions options;
  options.may_pause = true;
  std::string message;
  EXPECT_EQ(testing::code_of([&] { run.facade->run_agent("Planner", "plan", "", nullptr, options); }, &message),
            ErrorCode::kApprovalRequired);
  EXPECT_THAT(message, HasSubstr("AURITE_ENABLE_DB=true"));
  EXPECT_EQ(testing::code_of([&] { run.facade->decide_approval("apr_x", {true, std::nullopt, ""}, "x"); }),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace aurite::execution
