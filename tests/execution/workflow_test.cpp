// Simple workflows and custom workflow plugins.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "aurite/common/error.hpp"
#include "aurite/llm/message.hpp"
#include "execution/execution_test_support.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::execution {
namespace {

using testing::BackendTest;
using Json = nlohmann::json;

class Workflows : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    storage_ = open();
    project_.base_dir = dir_.path();
    project_.clients = testing::example_clients(dir_ / "plans");
    project_.llms = {testing::offline_llm()};
    project_.agents = {testing::offline_agent("Weather Reporter", {"weather_server"}),
                       testing::offline_agent("Planner", {"planning_server"})};
    project_.agents[1].exclude_components = {"list_plans"};
    project_.workflows = {{"Weather Planning Workflow", {"Weather Reporter", "Planner"}, std::nullopt, std::nullopt, Json::object()}};
    project_.custom_workflows = {{"Example Custom Workflow", "plugins/libaurite_example_workflow.so",
                                  "ExampleCustomWorkflow", std::nullopt, Json::object()}};
    ::setenv("AURITE_PLUGIN_PATH", AURITE_EXAMPLE_PLUGIN_DIR, 1);
  }
  void TearDown() override { ::unsetenv("AURITE_PLUGIN_PATH"); }

  std::size_t stored(const std::string& agent, const std::string& session) {
    return storage_->history()->load_history(agent, session, 1000).size();
  }

  std::unique_ptr<storage::StorageManager> storage_;
  config::ProjectConfig project_;
};

TEST_P(Workflows, EachStepGetsThePreviousOutputAndKeepsItsOwnHistory) {
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_simple_workflow("Weather Planning Workflow", "Oslo", "trip");
  EXPECT_EQ(result.status, RunStatus::kCompleted);
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(llm::text_of(result.steps[0].new_turns[0].content), "Oslo");
  EXPECT_EQ(llm::text_of(result.steps[1].new_turns[0].content), result.steps[0].final_text);
  EXPECT_EQ(result.final_text, result.steps[1].final_text);
  EXPECT_NE(result.final_text.find("save_plan: Saved plan"), std::string::npos) << result.final_text;
  EXPECT_EQ(stored("Weather Reporter", "trip"), 4u);
  EXPECT_EQ(stored("Planner", "trip"), 4u);
  EXPECT_FALSE(std::filesystem::is_empty(dir_ / "plans"));
}

TEST_P(Workflows, WorkflowStopsAtAStepThatDoesNotComplete) {
  project_.agents[0].max_iterations = 1;
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_simple_workflow("Weather Planning Workflow", "Oslo", "trip");
  EXPECT_EQ(result.status, RunStatus::kMaxIterations);
  EXPECT_EQ(result.steps.size(), 1u);
  EXPECT_EQ(stored("Planner", "trip"), 0u);
}

TEST_P(Workflows, CustomWorkflowPluginRunsTheProjectsAgents) {
  testing::ProjectRun run(project_, storage_->history());
  const Json result = run.facade->run_custom_workflow("Example Custom Workflow", {{"city", "Lima"}}, "custom");
  EXPECT_EQ(result["city"], "Lima");
  EXPECT_NE(result["weather_report"].get<std::string>().find("weather_lookup"), std::string::npos) << result;
  EXPECT_NE(result["plan"].get<std::string>().find("save_plan"), std::string::npos) << result;
  EXPECT_EQ(stored("Weather Reporter", "custom"), 4u);
  EXPECT_EQ(stored("Planner", "custom"), 4u);
}

TEST_P(Workflows, RunDispatchesByKind) {
  testing::ProjectRun run(project_, storage_->history());
  EXPECT_EQ(run.facade->run("Weather Reporter", "hi", "k")["kind"], "agent");
  EXPECT_EQ(run.facade->run("Weather Planning Workflow", "hi", "k")["kind"], "workflow");
  const Json custom = run.facade->run("Example Custom Workflow", "Quito", "k");
  EXPECT_EQ(custom["kind"], "custom_workflow");
  EXPECT_EQ(custom["result"]["city"], "Quito");
  EXPECT_THROW(run.facade->run("Nothing", "hi", "k"), Error);
}

TEST_P(Workflows, AStepMayBeAnotherWorkflowOrACustomWorkflow) {
  config::WorkflowConfig outer;
  outer.name = "Outer";
  outer.steps = {config::WorkflowStep("Example Custom Workflow", "custom_workflow"), "Weather Planning Workflow"};
  project_.workflows.push_back(outer);
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_simple_workflow("Outer", "Lima", "nested");
  EXPECT_EQ(result.status, RunStatus::kCompleted);
  // The custom workflow's two agents ran inside it; the nested workflow's two are listed.
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(result.steps[0].agent_name, "Weather Reporter");
  const Json custom_output = Json::parse(llm::text_of(result.steps[0].new_turns[0].content));
  EXPECT_EQ(custom_output["city"], "Lima");  // the next step got the custom workflow's output
  EXPECT_EQ(result.final_text, result.steps[1].final_text);
  EXPECT_EQ(stored("Weather Reporter", "nested"), 8u);  // 4 in the custom workflow, 4 in the nested one
}

TEST_P(Workflows, AWorkflowsIncludeHistoryOverridesItsAgents) {
  project_.workflows[0].include_history = false;
  testing::ProjectRun run(project_, storage_->history());
  const auto result = run.facade->run_simple_workflow("Weather Planning Workflow", "Oslo", "no-history");
  EXPECT_EQ(result.status, RunStatus::kCompleted);
  EXPECT_EQ(stored("Weather Reporter", "no-history"), 0u);
  EXPECT_EQ(stored("Planner", "no-history"), 0u);
}

TEST_P(Workflows, APythonCustomWorkflowSaysWhatReplacesIt) {
  project_.custom_workflows.push_back({"Python One", "custom_workflows.example_workflow", "Example", std::nullopt,
                                       Json::object()});
  testing::ProjectRun run(project_, storage_->history());
  try {
    run.facade->run("Python One", "x", "");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_NE(std::string(error.what()).find("custom workflow 'Python One' is a Python workflow"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("AURITE_WORKFLOW_PLUGIN"), std::string::npos) << error.what();
  }
}

TEST_P(Workflows, PluginProblemsAreConfigErrorsNamingThePath) {
  project_.custom_workflows.push_back({"Missing", "nowhere/libnothing.so", "X", std::nullopt, Json::object()});
  project_.custom_workflows.push_back({"Wrong Class", "plugins/libaurite_example_workflow.so", "NoSuchClass",
                                       std::nullopt, Json::object()});
  testing::ProjectRun run(project_, storage_->history());
  try {
    run.facade->run_custom_workflow("Missing", "x", "");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_NE(std::string(error.what()).find("nowhere/libnothing.so"), std::string::npos) << error.what();
  }
  try {
    run.facade->run_custom_workflow("Wrong Class", "x", "");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("has no workflow class 'NoSuchClass'"), std::string::npos) << error.what();
  }
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(Workflows);

}  // namespace
}  // namespace aurite::execution
