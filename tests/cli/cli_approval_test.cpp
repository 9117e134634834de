// require_approval from the CLI: `aurite run` on a pseudo-terminal asks before a gated
// call and goes on as the person answers (yes, no, edited arguments); without a terminal,
// or with --no-input, the run stops before the call, naming it, and nothing is saved.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "support/gated_project.hpp"
#include "support/pseudo_terminal.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAgent = "Weather Planning Agent";

class ApprovalCommand : public ::testing::Test {
 protected:
  void SetUp() override { project_ = testing::write_gated_demo_project(dir_); }

  std::map<std::string, std::string> env() const {
    return {{"PATH", std::string(AURITE_BINARY_DIR) + "/bin:" + std::getenv("PATH")}, {"AURITE_ENABLE_DB", "false"}};
  }

  std::vector<std::string> run_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {AURITE_CLI_PATH, "--config", project_.string(), "run", kAgent, "Oslo tomorrow"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  bool plan_saved(const std::string& name = "") const {
    if (!std::filesystem::exists(dir_ / "plans")) return false;
    if (!name.empty()) return std::filesystem::exists(dir_ / "plans" / (name + ".md"));
    return !std::filesystem::is_empty(dir_ / "plans");
  }

  testing::TempDir dir_;
  std::filesystem::path project_;
};

TEST_F(ApprovalCommand, WithoutATerminalTheRunStopsBeforeTheGatedCallNamingIt) {
  testing::ProcessOptions options;
  options.env = env();
  const auto args = run_args();
  const auto result = testing::run_aurite(std::vector<std::string>(args.begin() + 1, args.end()), options);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("called save_plan"));
  EXPECT_THAT(result.err, HasSubstr("waits for a person's approval (client 'planning_server' requires approval of "
                                    "save_plan)"));
  EXPECT_THAT(result.err, HasSubstr("on a terminal"));
  EXPECT_FALSE(plan_saved());
}

TEST_F(ApprovalCommand, NoInputStopsTheRunEvenOnATerminal) {
  testing::PseudoTerminal terminal(run_args({"--no-input"}), env());
  EXPECT_EQ(terminal.wait(), 1) << terminal.output();
  EXPECT_THAT(terminal.output(), HasSubstr("waits for a person's approval"));
  EXPECT_THAT(terminal.output(), Not(HasSubstr("[y/N/e]")));
  EXPECT_FALSE(plan_saved());
}

TEST_F(ApprovalCommand, OnATerminalAYesRunsTheCall) {
  testing::PseudoTerminal terminal(run_args(), env());
  ASSERT_TRUE(terminal.read_until("client 'planning_server' requires approval of save_plan.")) << terminal.output();
  ASSERT_TRUE(terminal.read_until("Allow save_plan {")) << terminal.output();
  ASSERT_TRUE(terminal.read_until("? [y/N/e] ")) << terminal.output();
  EXPECT_FALSE(plan_saved());  // asked before it runs
  terminal.type("y");
  EXPECT_EQ(terminal.wait(), 0) << terminal.output();
  EXPECT_TRUE(plan_saved());
  EXPECT_THAT(terminal.output(), Not(HasSubstr("Allow list_plans")));  // not gated
}

TEST_F(ApprovalCommand, OnATerminalANoDeniesTheCallAndTheRunGoesOn) {
  testing::PseudoTerminal terminal(run_args({"--json"}), env());
  ASSERT_TRUE(terminal.read_until("? [y/N/e] ")) << terminal.output();
  terminal.type("n");
  EXPECT_EQ(terminal.wait(), 0) << terminal.output();
  EXPECT_FALSE(plan_saved());
  EXPECT_THAT(terminal.output(), HasSubstr("denied by the user: denied at the terminal"));
}

TEST_F(ApprovalCommand, OnATerminalEditedArgumentsAreAskedUntilTheyAreAnObject) {
  testing::PseudoTerminal terminal(run_args(), env());
  ASSERT_TRUE(terminal.read_until("? [y/N/e] ")) << terminal.output();
  terminal.type("e");
  ASSERT_TRUE(terminal.read_until("Arguments (a JSON object on one line): ")) << terminal.output();
  terminal.type("[1, 2]");
  ASSERT_TRUE(terminal.read_until("That is not a JSON object")) << terminal.output();
  ASSERT_TRUE(terminal.read_until("? [y/N/e] ")) << terminal.output();
  terminal.type("e");
  ASSERT_TRUE(terminal.read_until("Arguments (a JSON object on one line): ")) << terminal.output();
  terminal.type(R"({"plan_name": "edited", "plan_content": "# Wear a coat"})");
  EXPECT_EQ(terminal.wait(), 0) << terminal.output();
  EXPECT_TRUE(plan_saved("edited"));
}

}  // namespace
}  // namespace aurite::cli
