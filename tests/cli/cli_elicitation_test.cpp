// A server's question during a tool call, answered at the terminal: `aurite run` on a
// pseudo-terminal shows the form one field at a time, an empty answer takes the field's
// default, a wrong one is asked again, and the server gets the values typed. Without a
// terminal, or with --no-input, the client does not offer to answer, and the server says so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.hpp"
#include "support/gated_project.hpp"
#include "support/pseudo_terminal.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ElicitationAtTheTerminal : public ::testing::Test {
 protected:
  void SetUp() override { project_ = testing::write_forms_project(dir_); }

  std::map<std::string, std::string> env() const {
    return {{"PATH", std::string(AURITE_BINARY_DIR) + "/bin:" + std::getenv("PATH")}, {"AURITE_ENABLE_DB", "false"}};
  }

  std::vector<std::string> run_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {AURITE_CLI_PATH, "--config", project_.string(), "run", "Form Agent", "fill it in"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  testing::TempDir dir_;
  std::filesystem::path project_;
};

TEST_F(ElicitationAtTheTerminal, EachFieldIsAskedAndAnEmptyAnswerTakesItsDefault) {
  testing::PseudoTerminal terminal(run_args(), env());
  ASSERT_TRUE(terminal.read_until("MCP server 'forms' asks (during test_elicitation_sep1034_defaults): Please review "
                                  "and update the form fields with defaults"))
      << terminal.output();
  ASSERT_TRUE(terminal.read_until("Answer? [Y/n/c] ")) << terminal.output();
  terminal.type("");
  ASSERT_TRUE(terminal.read_until("  age (integer) [30]: ")) << terminal.output();
  terminal.type("forty");
  ASSERT_TRUE(terminal.read_until("That is not a value age takes.")) << terminal.output();
  ASSERT_TRUE(terminal.read_until("  age (integer) [30]: ")) << terminal.output();
  terminal.type("41");
  ASSERT_TRUE(terminal.read_until("  name [John Doe]: ")) << terminal.output();
  terminal.type("");
  ASSERT_TRUE(terminal.read_until("  score (number) [95.5]: ")) << terminal.output();
  terminal.type("");
  ASSERT_TRUE(terminal.read_until("  status (one of active, inactive, pending) [active]: ")) << terminal.output();
  terminal.type("pending");
  ASSERT_TRUE(terminal.read_until("  verified (yes/no) [yes]: ")) << terminal.output();
  terminal.type("no");
  EXPECT_EQ(terminal.wait(), 0) << terminal.output();
  const std::string& out = terminal.output();
  EXPECT_THAT(out, HasSubstr("action=accept"));
  EXPECT_THAT(out, HasSubstr(R"("age":41)"));
  EXPECT_THAT(out, HasSubstr(R"("name":"John Doe")"));
  EXPECT_THAT(out, HasSubstr(R"("score":95.5)"));
  EXPECT_THAT(out, HasSubstr(R"("status":"pending")"));
  EXPECT_THAT(out, HasSubstr(R"("verified":false)"));
}

TEST_F(ElicitationAtTheTerminal, NoMeansDecline) {
  testing::PseudoTerminal terminal(run_args(), env());
  ASSERT_TRUE(terminal.read_until("Answer? [Y/n/c] ")) << terminal.output();
  terminal.type("n");
  EXPECT_EQ(terminal.wait(), 0) << terminal.output();
  EXPECT_THAT(terminal.output(), HasSubstr("action=decline"));
}

TEST_F(ElicitationAtTheTerminal, WithNobodyToAskTheClientDoesNotOfferToAnswer) {
  testing::PseudoTerminal terminal(run_args({"--no-input"}), env());
  EXPECT_EQ(terminal.wait(), 0) << terminal.output();
  EXPECT_THAT(terminal.output(), Not(HasSubstr("Answer?")));
  EXPECT_THAT(terminal.output(), HasSubstr("does not support elicitation"));

  testing::ProcessOptions piped;
  piped.env = env();
  const auto result = testing::run_aurite({"--config", project_.string(), "run", "Form Agent", "fill it in"}, piped);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out + result.err, HasSubstr("does not support elicitation"));
}

// Nobody answers within the client's timeout: the server gets a decline, the run goes on.
TEST_F(ElicitationAtTheTerminal, NoAnswerWithinTheClientsTimeoutDeclines) {
  project_ = testing::write_forms_project(dir_, 1.0);
  testing::PseudoTerminal terminal(run_args(), env());
  ASSERT_TRUE(terminal.read_until("Answer? [Y/n/c] ")) << terminal.output();
  EXPECT_EQ(terminal.wait(std::chrono::seconds(30)), 0) << terminal.output();
  EXPECT_THAT(terminal.output(), HasSubstr("action=decline"));
}

}  // namespace
}  // namespace aurite::cli
