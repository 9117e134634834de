// aurite db ... and aurite history ..., driven as a user drives them: a subprocess with
// AURITE_DB_* in its environment, on a SQLite file or the test PostgreSQL server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "aurite/storage/storage_manager.hpp"
#include "cli/cli_test_support.hpp"
#include "storage/scoped_env.hpp"
#include "support/postgres_server.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;
using testing::run_aurite;
using ::testing::HasSubstr;
using ::testing::Not;

testing::ProcessOptions with_db(const std::string& url) {
  testing::ProcessOptions options;
  options.unset_env = kStorageVariables;
  options.env = {{"AURITE_ENABLE_DB", "true"}, {"AURITE_DB_URL", url}};
  return options;
}

std::unique_ptr<storage::StorageManager> open_url(const std::string& url) {
  storage::StorageSettings settings;
  settings.enabled = true;
  return storage::StorageManager::open(storage::with_url(settings, url, "test"));
}

class StorageCommands : public ::testing::Test {
 protected:
  std::string sqlite_url() const { return "sqlite://" + (dir_ / "aurite.db").string(); }
  testing::TempDir dir_;
};

TEST_F(StorageCommands, DbAndHistoryCommandsSayToEnableTheDatabase) {
  testing::ProcessOptions off;
  off.unset_env = kStorageVariables;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"db", "status"}, {"db", "migrate"}, {"history", "sessions"}, {"history", "stats"}}) {
    const auto result = run_aurite(args, off);
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_THAT(result.err, HasSubstr("set AURITE_ENABLE_DB=true")) << result.err;
  }
}

TEST_F(StorageCommands, DbStatusOnPostgresMasksThePassword) {
  auto& server = testing::PostgresServer::shared();
  const auto url = server.url(server.create_database());
  const auto result = run_aurite({"db", "status"}, with_db(url));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("postgresql://postgres:***@127.0.0.1:"));
  EXPECT_THAT(result.out, HasSubstr("schema version  8"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(server.password())));

  const auto as_json = run_aurite({"db", "status", "--json"}, with_db(url));
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto body = json::parse(as_json.out);
  EXPECT_EQ(body["backend"], "postgresql");
  EXPECT_EQ(body["row_counts"]["agent_history"], 0);
  EXPECT_THAT(as_json.out + as_json.err, Not(HasSubstr(server.password())));
}

TEST_F(StorageCommands, SyncThenExportWritesAProjectThatValidates) {
  const auto sync = run_aurite({"--config", kExampleProject, "db", "sync", "--json"}, with_db(sqlite_url()));
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(json::parse(sync.out)["inserted"], 11);
  const auto again = run_aurite({"--config", kExampleProject, "db", "sync"}, with_db(sqlite_url()));
  EXPECT_THAT(again.out, HasSubstr("0 inserted, 0 updated, 11 unchanged, 0 deleted"));

  const auto file = (dir_ / "exported.json").string();
  const auto exported = run_aurite({"db", "export", file}, with_db(sqlite_url()));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto valid = run_aurite({"validate", "--config", file});
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_THAT(valid.out, HasSubstr("valid (2 clients, 3 llms, 4 agents, 1 workflow, 0 graph workflows, 1 custom workflow)"));

  // And back: importing the export into another database inserts every component.
  const auto other = "sqlite://" + (dir_ / "other.db").string();
  const auto imported = run_aurite({"db", "import", file, "--json"}, with_db(other));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(json::parse(imported.out)["inserted"], 11);
}

TEST_F(StorageCommands, HistoryCommandsListShowSearchStatsExportAndDelete) {
  {
    auto db = open_url(sqlite_url());
    db->history()->append_turn("Weather Agent", "s1", "user", json("weather in Lisbon?").dump());
    db->history()->append_turn("Weather Agent", "s1", "assistant", json("sunny in Lisbon").dump());
    db->history()->append_turn("Weather Agent", "s2", "user", json("and Porto?").dump());
  }
  const auto env = with_db(sqlite_url());

  const auto sessions = run_aurite({"history", "sessions", "--json"}, env);
  ASSERT_EQ(sessions.exit_code, 0) << sessions.err;
  EXPECT_EQ(json::parse(sessions.out)["sessions"].size(), 2u);
  const auto page = run_aurite({"history", "sessions", "--limit", "1"}, env);
  EXPECT_THAT(page.out, HasSubstr("more: --after "));

  const auto show = run_aurite({"history", "show", "Weather Agent", "--session", "s1"}, env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("sunny in Lisbon"));

  const auto search = run_aurite({"history", "search", "lisbon", "--json"}, env);
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_EQ(json::parse(search.out).size(), 2u);

  const auto stats = run_aurite({"history", "stats", "--json"}, env);
  EXPECT_EQ(json::parse(stats.out)["per_agent"][0]["turns"], 3);

  const auto exported = run_aurite({"history", "export", "--agent", "Weather Agent", "--session", "s1"}, env);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 2);
  EXPECT_EQ(json::parse(exported.out.substr(0, exported.out.find('\n')))["seq"], 1);

  EXPECT_EQ(run_aurite({"history", "delete", "Weather Agent", "s2"}, env).exit_code, 0);
  const auto gone = run_aurite({"history", "delete", "Weather Agent", "s2"}, env);
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_THAT(gone.err, HasSubstr("no session 's2'"));

  const auto prune = run_aurite({"history", "prune", "--keep", "0", "--json"}, env);
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_EQ(json::parse(prune.out), json({{"sessions", 1}, {"turns", 2}}));
  EXPECT_EQ(run_aurite({"history", "prune"}, env).exit_code, 2);
}

TEST_F(StorageCommands, HistoryStatsPriceStoredTokensWithTheProjectsLlmsAndShowPrintsUsage) {
  {
    auto db = open_url(sqlite_url());
    storage::ModelCallUsage call;
    call.provider = "anthropic";
    call.model = "claude-x";
    call.llm_id = "claude";
    call.input_tokens = 2'000'000;
    call.output_tokens = 100'000;
    call.stop_reason = "end_turn";
    call.duration_ms = 840;
    db->history()->append_turn("Weather Agent", "s1", "user", json("weather?").dump());
    db->history()->append_turn("Weather Agent", "s1", "assistant", json("sunny").dump(), {"run_1", call, {}});
  }
  const auto project = dir_ / "aurite_config.json";
  std::ofstream(project) << R"({"llms": [{"llm_id": "claude", "provider": "anthropic", "model": "claude-x",
                                          "pricing": {"input_per_mtok": 3, "output_per_mtok": 15}}]})";
  const auto env = with_db(sqlite_url());

  const auto priced = run_aurite({"--config", project.string(), "history", "stats", "--json"}, env);
  ASSERT_EQ(priced.exit_code, 0) << priced.err;
  const json agent = json::parse(priced.out)["per_agent"][0];
  EXPECT_EQ(agent["model_calls"], 1);
  EXPECT_EQ(agent["input_tokens"], 2'000'000);
  EXPECT_NEAR(agent["cost_usd"].get<double>(), 6.0 + 1.5, 1e-9);
  EXPECT_EQ(agent["unpriced_calls"], 0);
  EXPECT_EQ(agent["p50_model_ms"], 840);
  const json model = json::parse(priced.out)["per_model"][0];
  EXPECT_EQ(model["model"], "claude-x");

  const auto table = run_aurite({"--config", project.string(), "history", "stats"}, env);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("COST"));
  EXPECT_THAT(table.out, HasSubstr("$7.5000"));
  EXPECT_THAT(table.out, HasSubstr("2.0M"));

  // Without a project there are tokens but no prices.
  auto elsewhere = env;
  elsewhere.working_dir = (dir_ / "empty").string();
  std::filesystem::create_directories(*elsewhere.working_dir);
  elsewhere.unset_env.push_back("PROJECT_CONFIG_PATH");
  const auto unpriced = run_aurite({"history", "stats", "--json"}, elsewhere);
  ASSERT_EQ(unpriced.exit_code, 0) << unpriced.err;
  EXPECT_EQ(json::parse(unpriced.out)["per_agent"][0]["unpriced_calls"], 1);

  const auto show = run_aurite({"history", "show", "Weather Agent", "--session", "s1", "--usage"}, env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("[anthropic/claude-x: 2000000 in / 100000 out tokens, 840 ms, end_turn]"));
  const auto shown = run_aurite({"history", "show", "Weather Agent", "--session", "s1", "--json"}, env);
  const json turns = json::parse(shown.out);
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_FALSE(turns[0].contains("usage"));
  EXPECT_EQ(turns[1]["usage"]["run_id"], "run_1");
  EXPECT_EQ(turns[1]["usage"]["model_call"]["output_tokens"], 100'000);
}

// Sealed credentials go across as they are: the copying process has no key (none in its
// environment, and it makes no key file), and the target's processes open them with the
// installation's key.
TEST_F(StorageCommands, CopyToPostgresReportsMaskedTargetAndEqualCounts) {
  testing::ScopedEnv key;
  key.set("AURITE_SECRET_KEY", std::string(64, 'e'));
  {
    auto db = open_url(sqlite_url());
    db->history()->append_turn("a", "s", "user", json("hello").dump());
    db->secrets()->put("mcp-oauth/remote", "refresh-token-of-remote");
  }
  EXPECT_EQ(run_aurite({"--config", kExampleProject, "db", "sync"}, with_db(sqlite_url())).exit_code, 0);
  auto& server = testing::PostgresServer::shared();
  const auto target = server.url(server.create_database());
  auto keyless = with_db(sqlite_url());
  keyless.unset_env.insert(keyless.unset_env.end(), {"AURITE_SECRET_KEY", "AURITE_SECRET_KEY_FILE"});
  keyless.env["XDG_CONFIG_HOME"] = (dir_ / "config").string();
  const auto copy = run_aurite({"--log-level", "trace", "db", "copy", "--to", target}, keyless);
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_THAT(copy.out, HasSubstr("11 configurations, 1 turns and 1 sealed credentials written"));
  EXPECT_THAT(copy.out, HasSubstr("postgresql://postgres:***@"));
  EXPECT_THAT(copy.out + copy.err, Not(HasSubstr(server.password())));
  EXPECT_THAT(copy.out + copy.err, Not(HasSubstr("refresh-token-of-remote")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "config" / "aurite" / "secret.key"));
  const auto status = run_aurite({"db", "status", "--json"}, with_db(target));
  EXPECT_EQ(json::parse(status.out)["row_counts"]["agent_configs"], 4);
  EXPECT_EQ(json::parse(status.out)["row_counts"]["secrets"], 1);
  EXPECT_EQ(open_url(target)->secrets()->get("mcp-oauth/remote"), "refresh-token-of-remote");
}

TEST_F(StorageCommands, ABadConfigSourceIsAUsageErrorNamingIt) {
  const auto result = run_aurite({"--config-source", "database", "validate", "--config", kExampleProject});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--config-source"));
  EXPECT_THAT(result.err, HasSubstr("database"));
}

}  // namespace
}  // namespace aurite::cli
