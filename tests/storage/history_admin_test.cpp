// History maintenance on both backends: prune by age and by count, full-text search,
// statistics, JSON Lines export and import, and copying SQLite into PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "aurite/common/error.hpp"
#include "aurite/storage/history_transfer.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/config_test_project.hpp"
#include "storage/scoped_env.hpp"
#include "support/postgres_server.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using storage::PruneCounts;
using storage::TurnRecord;
using ::testing::HasSubstr;

class HistoryAdminTest : public BackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(HistoryAdminTest);

std::string text(const std::string& s) { return json(s).dump(); }

std::string tool_use_named(const std::string& name) {
  return json::array({{{"type", "text"}, {"text", "calling " + name}},
                      {{"type", "tool_use"}, {"id", "t1"}, {"name", name}, {"input", {{"city", "Lisbon"}}}}})
      .dump();
}

std::vector<TurnRecord> all_turns(storage::HistoryAdmin& admin, const storage::TurnFilter& filter = {}) {
  std::vector<TurnRecord> out;
  admin.for_each_turn(filter, [&](const TurnRecord& t) { out.push_back(t); });
  return out;
}

// The same turn as JSON values, so JSONB's spacing does not matter.
json as_json(const TurnRecord& t) {
  return {t.agent_name, t.session_id, t.seq, t.role, json::parse(t.content_json), t.created_at};
}

json as_json(const std::vector<TurnRecord>& turns) {
  json out = json::array();
  for (const auto& t : turns) out.push_back(as_json(t));
  return out;
}

// Imports turns stamped at fixed times, so age and day are known.
void import_at(storage::HistoryAdmin& admin, const std::string& agent, const std::string& session, int turns,
               const std::string& created_at) {
  std::vector<TurnRecord> rows;
  for (int seq = 1; seq <= turns; ++seq) {
    rows.push_back({agent, session, seq, seq % 2 == 1 ? "user" : "assistant", text("turn " + std::to_string(seq)),
                    created_at});
  }
  admin.import_turns(rows);
}

TEST_P(HistoryAdminTest, PruneOlderThanRemovesWholeOldSessions) {
  auto db = open();
  auto& admin = *db->history_admin();
  import_at(admin, "a", "old", 3, "2020-01-01T00:00:00.000Z");
  import_at(admin, "b", "old", 2, "2020-01-02T00:00:00.000Z");
  db->history()->append_turn("a", "fresh", "user", text("hi"));
  EXPECT_EQ(admin.prune_older_than(std::chrono::hours(24 * 30)), (PruneCounts{2, 5}));
  EXPECT_EQ(db->status().row_counts.at("sessions"), 1);
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 1);
  EXPECT_EQ(admin.prune_older_than(std::chrono::hours(24 * 30)), (PruneCounts{0, 0}));
  EXPECT_TRUE(admin.search("turn", std::nullopt, 10).empty());  // the index lost them too
}

TEST_P(HistoryAdminTest, PruneKeepNewestKeepsThatManySessionsPerAgent) {
  auto db = open();
  auto& admin = *db->history_admin();
  import_at(admin, "a", "s1", 1, "2024-01-01T00:00:00.000Z");
  import_at(admin, "a", "s2", 2, "2024-01-02T00:00:00.000Z");
  import_at(admin, "a", "s3", 3, "2024-01-03T00:00:00.000Z");
  import_at(admin, "b", "s1", 4, "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(admin.prune_keep_newest(2), (PruneCounts{1, 1}));
  const auto page = db->history()->list_sessions({std::nullopt, 10, ""});
  std::vector<std::string> left;
  for (const auto& s : page.sessions) left.push_back(s.agent_name + "/" + s.session_id);
  EXPECT_THAT(left, ::testing::UnorderedElementsAre("a/s2", "a/s3", "b/s1"));
  EXPECT_EQ(admin.prune_keep_newest(0), (PruneCounts{3, 9}));
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 0);
}

TEST_P(HistoryAdminTest, SearchFindsWordsInTextAndToolBlocksNewestFirst) {
  auto db = open();
  auto& history = *db->history();
  history.append_turn("weather", "s", "user", text("What is the weather in Lisbon?"));
  history.append_turn("weather", "s", "assistant", tool_use_named("get_forecast"));
  history.append_turn("other", "s", "user", text("lisbon trip, please"));
  history.append_turn("other", "s", "user", text("nothing here"));
  auto& admin = *db->history_admin();

  const auto hits = admin.search("LISBON", std::nullopt, 10);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].agent_name, "other");
  EXPECT_EQ(hits[1].seq, 2);  // the tool_use input {"city": "Lisbon"}
  EXPECT_EQ(hits[2].seq, 1);
  EXPECT_EQ(admin.search("lisbon", std::string("weather"), 10).size(), 2u);
  EXPECT_EQ(admin.search("lisbon", std::string("weather"), 1).size(), 1u);
  EXPECT_EQ(admin.search("weather lisbon", std::nullopt, 10).size(), 1u);  // every word
  EXPECT_TRUE(admin.search("\"*) OR (", std::nullopt, 10).empty());        // not query syntax
  EXPECT_TRUE(admin.search("madrid", std::nullopt, 10).empty());
}

TEST_P(HistoryAdminTest, DeletedSessionsLeaveTheSearchIndex) {
  auto db = open();
  db->history()->append_turn("a", "s", "user", text("unique marmalade"));
  ASSERT_EQ(db->history_admin()->search("marmalade", std::nullopt, 10).size(), 1u);
  db->history()->delete_session("a", "s");
  EXPECT_TRUE(db->history_admin()->search("marmalade", std::nullopt, 10).empty());
}

TEST_P(HistoryAdminTest, StatsCountTurnsSessionsAndToolCallsPerAgentAndDay) {
  auto db = open();
  auto& admin = *db->history_admin();
  admin.import_turns({{"a", "s1", 1, "user", text("q"), "2024-03-01T10:00:00.000Z"},
                      {"a", "s1", 2, "assistant", tool_use_named("x"), "2024-03-01T10:00:01.000Z"},
                      {"a", "s2", 1, "user", text("q"), "2024-03-02T09:00:00.000Z"},
                      {"a", "s2", 2, "assistant",
                       json::array({{{"type", "tool_use"}, {"id", "1"}, {"name", "x"}, {"input", json::object()}},
                                    {{"type", "tool_use"}, {"id", "2"}, {"name", "y"}, {"input", json::object()}}})
                           .dump(),
                       "2024-03-02T09:00:01.000Z"},
                      {"b", "s1", 1, "user", text("q"), "2024-03-02T09:00:00.000Z"}});
  const auto stats = admin.stats(std::nullopt);
  EXPECT_EQ(stats.per_agent, (std::vector<storage::AgentStats>{{"a", 4, 2, 3}, {"b", 1, 1, 0}}));
  EXPECT_EQ(stats.per_day, (std::vector<storage::DayStats>{{"a", "2024-03-01", 2, 1, 1},
                                                           {"a", "2024-03-02", 2, 1, 2},
                                                           {"b", "2024-03-02", 1, 1, 0}}));
  EXPECT_EQ(admin.stats(std::string("b")).per_agent, (std::vector<storage::AgentStats>{{"b", 1, 1, 0}}));
}

TEST_P(HistoryAdminTest, ExportThenImportIntoAnEmptyDatabaseIsIdentical) {
  auto db = open();
  auto& history = *db->history();
  for (int i = 0; i < 3; ++i) {
    history.append_turn("a", "s1", "user", text("question " + std::to_string(i)));
    history.append_turn("a", "s1", "assistant", tool_use_named("lookup"));
  }
  history.append_turn("b", "default", "user", text("tab\there \"quoted\" \u00e9"));
  std::stringstream out;
  EXPECT_EQ(storage::export_jsonl(*db->history_admin(), out), 7);
  const auto original = all_turns(*db->history_admin());

  // Into the other database kind too when this is SQLite: every pair is covered by copy.
  TempDir other;
  ScopedEnv env;
  env.clear_storage();
  env.set("AURITE_ENABLE_DB", "true").set("AURITE_DB_URL", "sqlite://" + (other / "copy.db").string());
  auto target = storage::StorageManager::open(storage::load_storage_settings());
  std::stringstream in(out.str());
  const auto counts = storage::import_jsonl(*target->history_admin(), in);
  EXPECT_EQ(counts.lines, 7);
  EXPECT_EQ(counts.inserted, 7);
  EXPECT_EQ(as_json(all_turns(*target->history_admin())), as_json(original));

  std::stringstream again(out.str());
  EXPECT_EQ(storage::import_jsonl(*target->history_admin(), again).inserted, 0);  // idempotent
  EXPECT_EQ(target->status().row_counts.at("agent_history"), 7);
  // Appends continue after the imported seqs.
  EXPECT_EQ(target->history()->append_turn("a", "s1", "user", text("next")), 7);
  EXPECT_EQ(target->history_admin()->search("question", std::nullopt, 10).size(), 3u);
}

TEST_P(HistoryAdminTest, ImportWithABadLineNamesItAndImportsNothing) {
  auto db = open();
  std::stringstream in(
      "{\"agent\":\"a\",\"session\":\"s\",\"seq\":1,\"role\":\"user\",\"content\":\"hi\","
      "\"created_at\":\"2024-01-01T00:00:00.000Z\"}\n"
      "\n"
      "{\"agent\":\"a\",\"session\":\"s\",\"seq\":\"two\",\"role\":\"user\",\"content\":\"hi\","
      "\"created_at\":\"2024-01-01T00:00:00.000Z\"}\n");
  try {
    storage::import_jsonl(*db->history_admin(), in);
    FAIL() << "the import should have failed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("line 3"));
  }
  std::stringstream not_json("{\"agent\":\"a\"\n");
  EXPECT_THROW(storage::import_jsonl(*db->history_admin(), not_json), Error);
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 0);
  EXPECT_EQ(db->status().row_counts.at("sessions"), 0);
}

TEST_P(HistoryAdminTest, ExportFiltersByAgentAndSession) {
  auto db = open();
  db->history()->append_turn("a", "s1", "user", text("1"));
  db->history()->append_turn("a", "s2", "user", text("2"));
  db->history()->append_turn("b", "s1", "user", text("3"));
  std::stringstream out;
  EXPECT_EQ(storage::export_jsonl(*db->history_admin(), out, {std::string("a"), std::string("s2")}), 1);
  EXPECT_THAT(out.str(), HasSubstr("\"session\":\"s2\""));
  EXPECT_EQ(all_turns(*db->history_admin(), {std::string("a"), std::nullopt}).size(), 2u);
}

TEST_P(HistoryAdminTest, ForEachTurnPagesThroughManyTurns) {
  auto db = open();
  std::vector<TurnRecord> rows;
  for (int seq = 1; seq <= 2500; ++seq) rows.push_back({"a", "s", seq, "user", text("x"), "2024-01-01T00:00:00.000Z"});
  EXPECT_EQ(db->history_admin()->import_turns(rows), 2500);
  const auto turns = all_turns(*db->history_admin());
  ASSERT_EQ(turns.size(), 2500u);
  EXPECT_EQ(turns.back().seq, 2500);
}

// SQLite -> PostgreSQL, the usual direction: configurations and history arrive identical.
TEST(CopyAll, SqliteToPostgresCopiesEverythingAndVerifiesCounts) {
  TempDir dir;
  auto& server = PostgresServer::shared();
  const std::string pg_url = server.url(server.create_database());
  auto source = open_storage_at("sqlite://" + (dir / "source.db").string());
  auto target = open_storage_at(pg_url);

  source->configs()->sync_configs(test_project(), false);
  for (int i = 0; i < 30; ++i) {
    source->history()->append_turn("agent" + std::to_string(i % 3), "s" + std::to_string(i % 4), "user",
                                   text("message " + std::to_string(i)));
  }
  source->history()->append_turn("agent0", "s0", "assistant", tool_use_named("lookup"));

  const auto counts = storage::copy_all(*source, *target);
  EXPECT_EQ(counts.configs, 7);
  EXPECT_EQ(counts.turns, 31);
  EXPECT_EQ(counts.source_rows, counts.target_rows);
  EXPECT_EQ(counts.target_rows.at("agent_history"), 31);
  EXPECT_EQ(components_of(target->configs()->load_configs()), components_of(source->configs()->load_configs()));
  EXPECT_EQ(as_json(all_turns(*target->history_admin())), as_json(all_turns(*source->history_admin())));
  EXPECT_EQ(target->history_admin()->stats(std::nullopt), source->history_admin()->stats(std::nullopt));

  // Copying again changes nothing and still verifies.
  const auto again = storage::copy_all(*source, *target);
  EXPECT_EQ(again.configs, 0);
  EXPECT_EQ(again.turns, 0);

  // A target holding rows the source does not is reported, naming the table.
  target->history()->append_turn("stranger", "s", "user", text("x"));
  try {
    storage::copy_all(*source, *target);
    FAIL() << "the copy should have failed its check";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
    EXPECT_THAT(e.what(), HasSubstr("sessions"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr(server.password())));
  }
}

}  // namespace
}  // namespace aurite::testing
