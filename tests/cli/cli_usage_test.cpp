// Usage errors, help and global options of `aurite`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "support/subprocess.hpp"

namespace aurite::cli {
namespace {

using testing::run_aurite;

TEST(Usage, HelpListsTheCommandsAndExitsZero) {
  const auto result = run_aurite({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* command : {"validate", "list", "show", "init", "--config", "--json", "--log-level"}) {
    EXPECT_TRUE(contains(result.out, command)) << command << "\n" << result.out;
  }
}

TEST(Usage, HelpNamesTheProgramAuriteNotThePathItWasStartedBy) {
  const auto result = run_aurite({"--help"});
  EXPECT_TRUE(result.out.rfind("aurite: run LLM agents", 0) == 0) << result.out;
  EXPECT_TRUE(contains(result.out, "Usage: aurite [OPTIONS]")) << result.out;
  EXPECT_FALSE(contains(result.out, "/bin/aurite")) << result.out;
}

TEST(Usage, NoCommandPrintsTheHelpWithWhereToStartAndIsAUsageError) {
  const auto result = run_aurite({});
  EXPECT_EQ(result.exit_code, 2);
  for (const char* part : {"Subcommands:", "Start here:", "aurite init my-project", "examples/demo"}) {
    EXPECT_TRUE(contains(result.err, part)) << part << "\n" << result.err;
  }
}

TEST(Usage, UnknownCommandIsAUsageError) {
  const auto result = run_aurite({"frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "frobnicate")) << result.err;
  EXPECT_FALSE(contains(result.err, "did you mean")) << result.err;
}

TEST(Usage, AMistypedCommandSuggestsTheClosestOne) {
  const auto result = run_aurite({"runn", "assistant", "hi"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "error: unknown command 'runn' (did you mean 'run'?)")) << result.err;
}

TEST(Usage, AMistypedCommandNamesTheCommandItProbablyMeant) {
  const auto result = run_aurite({"valdate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "unknown command 'valdate' (did you mean 'validate'?)")) << result.err;
}

TEST(Usage, WithJsonAUsageErrorIsTheJsonErrorShape) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--json", "valdate"},
                                               std::vector<std::string>{"run", "--json", "--no-such-flag"}}) {
    const auto result = run_aurite(args);
    EXPECT_EQ(result.exit_code, 2);
    const auto error = nlohmann::json::parse(result.out)["error"];
    EXPECT_EQ(error["code"], "invalid_argument") << result.out;
    EXPECT_TRUE(error["details"].is_array()) << result.out;
    EXPECT_FALSE(error["message"].get<std::string>().empty());
  }
}

TEST(Usage, UnknownNamesInRunAndShowSuggestTheClosestOne) {
  const auto run = run_aurite({"run", "Weather Agnet", "hi", "--config", kExampleProject});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.err, "(did you mean 'Weather Agent'?)")) << run.err;
  const auto show = run_aurite({"show", "weather_servr", "--config", kExampleProject});
  EXPECT_EQ(show.exit_code, 2);
  EXPECT_TRUE(contains(show.err, "(did you mean 'weather_server'?)")) << show.err;
}

TEST(Usage, BadLogLevelIsAUsageErrorNamingTheValue) {
  const auto result = run_aurite({"validate", "--config", kExampleProject, "--log-level", "loud"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "log level 'loud'")) << result.err;
}

TEST(Usage, GlobalOptionsWorkBeforeAndAfterTheCommand) {
  EXPECT_EQ(run_aurite({"--config", kExampleProject, "--json", "list", "llms"}).exit_code, 0);
  EXPECT_EQ(run_aurite({"list", "llms", "--json", "--config", kExampleProject}).exit_code, 0);
}

TEST(Usage, DebugLogGoesToStderrNotStdout) {
  const auto result = run_aurite({"list", "llms", "--json", "--log-level", "debug", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "[debug] loaded")) << result.err;
  EXPECT_EQ(result.out.front(), '[');
}

}  // namespace
}  // namespace aurite::cli
