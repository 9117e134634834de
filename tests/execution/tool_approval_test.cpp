// require_approval in a run: gated calls are decided before any call of the turn runs;
// an approved call runs (with edited arguments when given), a denied one never runs and
// the model reads the denial, and a run that cannot ask stops having run nothing of the
// turn. The offline model calls every tool it sees once, so one turn holds the weather
// tools (read-only) and the planning tools (they write files).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "aurite/common/error.hpp"
#include "execution/execution_test_support.hpp"
#include "support/temp_dir.hpp"

namespace aurite::execution {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Json = nlohmann::json;
using Mode = config::ApprovalRule::Mode;

// Answers as scripted per tool (unscripted: approved), and keeps what it was asked.
class ScriptedApprover : public RunObserver {
 public:
  std::optional<ApprovalDecision> decide_approval(const ApprovalRequest& request) override {
    asked.push_back(request);
    const auto scripted = answers.find(request.tool);
    if (scripted == answers.end()) return ApprovalDecision{true, std::nullopt, ""};
    return scripted->second;
  }

  std::map<std::string, ApprovalDecision> answers;
  std::vector<ApprovalRequest> asked;
};

std::vector<std::string> tools_asked(const ScriptedApprover& approver) {
  std::vector<std::string> out;
  for (const auto& request : approver.asked) out.push_back(request.tool);
  return out;
}

const ToolCallRecord& call_of(const AgentResult& result, const std::string& tool) {
  for (const auto& call : result.tool_calls) {
    if (call.name == tool) return call;
  }
  throw std::runtime_error("no call of " + tool);
}

class ToolApproval : public ::testing::Test {
 protected:
  void SetUp() override {
    project_.clients = testing::example_clients(dir_ / "plans");
    project_.llms = {testing::offline_llm()};
    project_.agents = {testing::offline_agent("Planner", {"weather_server", "planning_server"}, /*history=*/false)};
  }

  config::ClientConfig& client(const std::string& id) {
    for (auto& c : project_.clients) {
      if (c.client_id == id) return c;
    }
    throw std::runtime_error("no client " + id);
  }

  AgentResult run(RunObserver* observer) {
    testing::ProjectRun run(project_);
    return run.facade->run_agent("Planner", "plan a trip to Oslo", "", observer);
  }

  bool plan_saved() const {
    return std::filesystem::exists(dir_ / "plans") && !std::filesystem::is_empty(dir_ / "plans");
  }

  testing::TempDir dir_;
  config::ProjectConfig project_;
};

TEST_F(ToolApproval, AClientThatRequiresApprovalAsksForEachOfItsCallsAndApprovedOnesRun) {
  client("planning_server").require_approval = config::ApprovalRule{Mode::kAll, {}};
  ScriptedApprover approver;
  const auto result = run(&approver);
  EXPECT_THAT(tools_asked(approver), UnorderedElementsAre("save_plan", "list_plans"));
  EXPECT_EQ(approver.asked.at(0).why, "client 'planning_server' requires approval of " + approver.asked.at(0).tool);
  EXPECT_EQ(approver.asked.at(0).client_id, "planning_server");
  EXPECT_EQ(approver.asked.at(0).agent_name, "Planner");
  EXPECT_EQ(result.tool_calls.size(), 4u);
  EXPECT_FALSE(call_of(result, "save_plan").is_error) << call_of(result, "save_plan").result_text;
  EXPECT_TRUE(plan_saved());
}

TEST_F(ToolApproval, ADeniedCallNeverRunsAndTheModelReadsWhy) {
  client("planning_server").require_approval = config::ApprovalRule{Mode::kTools, {"save_*"}};
  ScriptedApprover approver;
  approver.answers["save_plan"] = ApprovalDecision{false, std::nullopt, "not this one"};
  const auto result = run(&approver);
  EXPECT_THAT(tools_asked(approver), ElementsAre("save_plan"));  // list_plans is not in the list
  const auto& denied = call_of(result, "save_plan");
  EXPECT_TRUE(denied.is_error);
  EXPECT_EQ(denied.result_text, "denied by the user: not this one");
  EXPECT_FALSE(call_of(result, "list_plans").is_error);
  EXPECT_FALSE(plan_saved());
  EXPECT_THAT(result.final_text, HasSubstr("save_plan (error): denied by the user: not this one"));
}

TEST_F(ToolApproval, AnApprovalWithOtherArgumentsRunsWithThem) {
  project_.agents[0].require_approval = config::ApprovalRule{Mode::kTools, {"save_plan"}};
  ScriptedApprover approver;
  const Json edited = {{"plan_name", "edited"}, {"plan_content", "# Edited"}};
  approver.answers["save_plan"] = ApprovalDecision{true, edited, ""};
  const auto result = run(&approver);
  EXPECT_EQ(approver.asked.at(0).why, "agent 'Planner' requires approval of save_plan");
  EXPECT_EQ(call_of(result, "save_plan").input, edited);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "plans" / "edited.md"));
}

// "destructive": what does not declare itself read-only waits; the weather tools do.
// The agent's rule and the client's add up: either one gates a call.
TEST_F(ToolApproval, DestructiveGatesWhatIsNotDeclaredReadOnlyAndEitherRuleGates) {
  project_.agents[0].require_approval = config::ApprovalRule{Mode::kDestructive, {}};
  client("weather_server").require_approval = config::ApprovalRule{Mode::kTools, {"current_*"}};
  ScriptedApprover approver;
  run(&approver);
  EXPECT_THAT(tools_asked(approver), UnorderedElementsAre("save_plan", "list_plans", "current_time"));
}

TEST_F(ToolApproval, ARunThatCannotAskStopsBeforeAnyCallOfTheTurnRuns) {
  client("planning_server").require_approval = config::ApprovalRule{Mode::kTools, {"save_plan"}};
  testing::ProjectRun project_run(project_);
  try {
    project_run.facade->run_agent("Planner", "plan a trip to Oslo", "", nullptr);
    FAIL() << "a gated call ran without a decision";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kApprovalRequired);
    EXPECT_THAT(error.what(), HasSubstr("agent 'Planner' called save_plan"));
    EXPECT_THAT(error.what(), HasSubstr("client 'planning_server' requires approval of save_plan"));
    EXPECT_THAT(error.what(), HasSubstr("on a terminal"));
  }
  EXPECT_FALSE(plan_saved());
  // Without a rule the same run saves its plan: the test above would have seen it.
  client("planning_server").require_approval.reset();
  EXPECT_EQ(run(nullptr).tool_calls.size(), 4u);
  EXPECT_TRUE(plan_saved());
}

}  // namespace
}  // namespace aurite::execution
