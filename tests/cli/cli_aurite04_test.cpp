// `cd` into an Aurite 0.4 project and use it: validate, list, show and run find the
// project by its .aurite file, from any folder inside it.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::run_aurite;

// A copy of the project Aurite 0.4.2's `aurite init` writes, its llm on the test model
// (no key, no network); the rest as written.
class InitProjectCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(AURITE_TEST_DATA_DIR "/aurite04/init_project", root(), fs::copy_options::recursive);
    const fs::path file = root() / "config/example_multi_component.json";
    Json components = Json::parse(std::ifstream(file));
    for (auto& component : components) {
      if (component["name"] == "anthropic_claude_3_haiku") component["provider"] = "test";
    }
    std::ofstream(file) << components.dump(2);
  }

  fs::path root() const { return dir_.path() / "my-project"; }
  testing::ProcessOptions in(const fs::path& folder) const {
    testing::ProcessOptions options;
    options.working_dir = folder.string();
    options.unset_env = {"PROJECT_CONFIG_PATH", "AURITE_ENABLE_DB"};
    return options;
  }

  testing::TempDir dir_;
};

TEST_F(InitProjectCopy, ValidateListAndShowWorkFromInsideTheProject) {
  const auto validate = run_aurite({"validate"}, in(root()));
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_TRUE(contains(validate.out, ".aurite: valid (3 clients, 3 llms, 8 agents, 2 workflows, 2 graph workflows, "
                                     "2 custom workflows)"))
      << validate.out;
  EXPECT_TRUE(contains(validate.out, "kept out: security 'default', security 'production'")) << validate.out;

  const auto list = run_aurite({"--json", "list"}, in(root() / "config" / "graph_workflows"));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const Json listed = Json::parse(list.out);
  EXPECT_EQ(listed["graph_workflows"].size(), 2u);
  EXPECT_EQ(listed["agents"].size(), 8u);

  const auto show = run_aurite({"--json", "show", "Color Graph Workflow"}, in(root()));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const Json shown = Json::parse(show.out);
  EXPECT_EQ(shown["kind"], "graph workflow");
  EXPECT_EQ(shown["config"]["nodes"].size(), 4u);

  const auto by_folder = run_aurite({"validate", "--config", root().string()});
  EXPECT_EQ(by_folder.exit_code, 0) << by_folder.err;
}

TEST_F(InitProjectCopy, TheGraphWorkflowRuns) {
  // Aurite's session ids are ordinary ids here.
  const auto run =
      run_aurite({"--json", "run", "Color Graph Workflow", "Hello World", "--session", "workflow-1a2b3c4d-0"}, in(root()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json result = Json::parse(run.out);
  EXPECT_EQ(result["session_id"], "workflow-1a2b3c4d-0");
  EXPECT_EQ(result["kind"], "graph_workflow");
  EXPECT_EQ(result["status"], "completed");
  ASSERT_EQ(result["nodes"].size(), 4u);
  EXPECT_TRUE(result["final_output"].contains("r2")) << run.out;
  const auto progress = run_aurite({"run", "Parallel Graph Workflow", "Hello World"}, in(root()));
  EXPECT_EQ(progress.exit_code, 0) << progress.err;
  EXPECT_TRUE(contains(progress.err, "== Parallel Graph Workflow node b2a (Blue Agent) starts")) << progress.err;
}

TEST_F(InitProjectCopy, APythonCustomWorkflowLoadsButRunningItSaysWhatReplacesIt) {
  const auto run = run_aurite({"run", "Example Custom Workflow", "Tokyo"}, in(root()));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(contains(run.err, "custom workflow 'Example Custom Workflow' is a Python workflow")) << run.err;
  EXPECT_TRUE(contains(run.err, "C++ plugins replace Python workflows")) << run.err;
}

TEST_F(InitProjectCopy, ABrokenComponentStopsOnlyWhatUsesIt) {
  std::ofstream(root() / "config/agents/broken.json") << R"([
    {"type": "agent", "name": "Typo Agent", "llm_config_id": "anthropic_claude_3_haiku", "mcp_servers": ["wether_server"]}
  ])";
  const auto validate = run_aurite({"validate"}, in(root()));
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_TRUE(contains(validate.err, "config/agents/broken.json: [0].mcp_servers[0]: unknown mcp_server "
                                     "'wether_server' (did you mean 'weather_server'?)"))
      << validate.err;
  const auto unaffected = run_aurite({"run", "Red Agent", "Hello"}, in(root()));
  EXPECT_EQ(unaffected.exit_code, 0) << unaffected.err;
  EXPECT_TRUE(contains(unaffected.err, "left out, with problems (aurite validate lists them): agent 'Typo Agent'"))
      << unaffected.err;
  const auto affected = run_aurite({"run", "Typo Agent", "Hello"}, in(root()));
  EXPECT_EQ(affected.exit_code, 2);
  EXPECT_TRUE(contains(affected.err, "config/agents/broken.json: [0].mcp_servers[0]: unknown mcp_server")) << affected.err;
}

TEST(ProjectDiscovery, AFolderWithoutAProjectSaysSo) {
  testing::TempDir empty;
  testing::ProcessOptions options;
  options.working_dir = empty.path().string();
  options.unset_env = {"PROJECT_CONFIG_PATH"};
  const auto result = run_aurite({"validate", "--config", empty.path().string()}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "is a folder with neither a .aurite file nor an aurite_config.json")) << result.err;
}

}  // namespace
}  // namespace aurite::cli
