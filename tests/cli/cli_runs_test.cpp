// `aurite runs` and Ctrl-C, as real processes on both backends: a run made by one
// `aurite run` is listed, shown and its events printed by others; Ctrl-C cancels a run
// in its model request (exit 130, the row cancelled) and `aurite runs cancel` refuses
// a run that has ended; without the database the commands say how to turn it on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/child_process.hpp"
#include "support/scripted_http_server.hpp"
#include "support/subprocess.hpp"
#include "support/wait_until.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

class RunsCommand : public testing::BackendTest {
 protected:
  std::map<std::string, std::string> env() const {
    auto all = db_env();
    all["PATH"] = std::string(AURITE_BINARY_DIR) + "/bin:" + std::getenv("PATH");
    all["ANTHROPIC_API_KEY"] = "test-model-key";
    return all;
  }

  testing::ProcessResult aurite(std::vector<std::string> args, const std::string& project = kExampleProject) const {
    testing::ProcessOptions options;
    options.unset_env = kStorageVariables;
    options.env = env();
    args.insert(args.begin(), {"--config", project});
    return testing::run_aurite(args, options);
  }

  // "Slow Agent" on the scripted model.
  std::string slow_project() const {
    const auto path = dir_.path() / "slow_project.json";
    std::ofstream(path) << json{{"name", "slow"},
                                {"llms", {{{"llm_id", "scripted"}, {"provider", "anthropic"}, {"model", "m"},
                                           {"base_url", model_.base_url()}}}},
                                {"agents", {{{"name", "Slow Agent"}, {"llm_config_id", "scripted"}, {"include_history", true}}}}}
                                   .dump();
    return path.string();
  }

  testing::ScriptedHttpServer model_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(RunsCommand);

TEST_P(RunsCommand, ARunOfOneProcessIsListedShownAndItsEventsPrintedByOthers) {
  const auto ran = aurite({"--json", "run", "Weather Agent", "Weather in Oslo?", "--session", "s"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const std::string id = json::parse(ran.out)["run_id"];

  const auto listed = aurite({"--json", "runs", "list", "--session", "s"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json page = json::parse(listed.out);
  ASSERT_EQ(page["runs"].size(), 1u) << page;
  EXPECT_EQ(page["runs"][0]["run_id"], id);
  const auto table = aurite({"runs", "list"});
  EXPECT_THAT(table.out, HasSubstr(id));
  EXPECT_THAT(table.out, HasSubstr("completed"));

  const auto shown = aurite({"--json", "runs", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const json row = json::parse(shown.out);
  EXPECT_EQ(row["status"], "completed");
  EXPECT_EQ(row["name"], "Weather Agent");
  EXPECT_EQ(row["turns"].size(), 4u);

  const auto events = aurite({"--json", "runs", "events", id});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  std::istringstream lines(events.out);
  std::vector<json> seen;
  for (std::string line; std::getline(lines, line);) seen.push_back(json::parse(line));
  ASSERT_GE(seen.size(), 3u) << events.out;
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i]["seq"], i + 1);
  EXPECT_EQ(seen.front()["event"], "run");
  EXPECT_EQ(seen.back()["event"], "done");
  EXPECT_EQ(seen.back()["data"]["run_id"], id);
  const auto later = aurite({"runs", "events", id, "--after", "2", "--no-follow"});
  EXPECT_EQ(later.exit_code, 0) << later.err;
  EXPECT_THAT(later.out, Not(HasSubstr("run_id")));  // the `run` event (seq 1) is not printed

  const auto refused = aurite({"runs", "cancel", id});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("has ended (completed)"));
  const auto unknown = aurite({"runs", "show", "run_nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no run with id 'run_nope'"));
}

TEST_P(RunsCommand, CtrlCCancelsTheRunInItsModelRequestAndExits130) {
  testing::ScriptedReply hang;
  hang.hang = true;
  model_.push(hang);
  testing::ChildProcess running({AURITE_CLI_PATH, "--config", slow_project(), "run", "Slow Agent", "wait", "-q"}, env());
  ASSERT_TRUE(testing::wait_until([&] { return model_.requests().size() == 1; }, 20s)) << "the model was never asked";
  running.kill(SIGINT);
  const auto status = running.wait_for(10s);
  ASSERT_TRUE(status) << "Ctrl-C did not end the run";
  EXPECT_EQ(*status, 130);

  const auto listed = aurite({"--json", "runs", "list"}, slow_project());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json runs = json::parse(listed.out)["runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "cancelled");
  EXPECT_EQ(runs[0]["error"]["code"], "cancelled");
}

TEST(RunsCommandWithoutDatabase, SaysHowToTurnItOn) {
  testing::ProcessOptions options;
  options.unset_env = kStorageVariables;
  const auto result = testing::run_aurite({"--config", kExampleProject, "runs", "list"}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("AURITE_ENABLE_DB=true"));
}

}  // namespace
}  // namespace aurite::cli
