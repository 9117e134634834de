// The history store and StorageManager on both backends: order, the tool-safe window,
// awkward text, large content, session listing and deletion, migrations and status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "aurite/common/error.hpp"
#include "storage/backend_fixture.hpp"
#include "support/postgres_server.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using storage::Turn;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class HistoryStoreTest : public BackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(HistoryStoreTest);

std::vector<std::int64_t> seqs(const std::vector<Turn>& turns) {
  std::vector<std::int64_t> out;
  for (const auto& t : turns) out.push_back(t.seq);
  return out;
}

// Whether the SQLite file holds a table (or virtual table) of that name.
bool sqlite_has_table(const std::filesystem::path& file, const std::string& name) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, &sqlite3_close);
  if (rc != SQLITE_OK) return false;
  sqlite3_stmt* raw = nullptr;
  sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  sqlite3_bind_text(raw, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  return sqlite3_step(raw) == SQLITE_ROW;
}

std::string text(const std::string& s) { return json(s).dump(); }

std::string tool_use_with_id(const std::string& id) {
  return json::array({{{"type", "tool_use"}, {"id", id}, {"name", "lookup"}, {"input", {{"q", "x"}}}}}).dump();
}

std::string tool_result(const std::string& id) {
  return json::array({{{"type", "tool_result"}, {"tool_use_id", id}, {"content", "42"}}}).dump();
}

TEST_P(HistoryStoreTest, AppendAssignsConsecutiveSeqsAndLoadsInOrder) {
  auto db = open();
  auto& history = *db->history();
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(history.append_turn("agent", "s1", i % 2 ? "user" : "assistant", text("turn " + std::to_string(i))),
              i);
  }
  const auto turns = history.load_history("agent", "s1", 100);
  ASSERT_EQ(turns.size(), 5u);
  EXPECT_THAT(seqs(turns), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(turns[0].role, "user");
  EXPECT_EQ(json::parse(turns[1].content_json), json("turn 2"));
  EXPECT_EQ(turns[1].role, "assistant");
  EXPECT_THAT(turns[0].created_at, ::testing::MatchesRegex(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)"));
}

TEST_P(HistoryStoreTest, LoadHistoryReturnsTheLastTurnsOldestFirst) {
  auto db = open();
  auto& history = *db->history();
  for (int i = 1; i <= 10; ++i) history.append_turn("agent", "s", "user", text(std::to_string(i)));
  EXPECT_THAT(seqs(history.load_history("agent", "s", 3)), ElementsAre(8, 9, 10));
  EXPECT_TRUE(history.load_history("agent", "s", 0).empty());
  EXPECT_TRUE(history.load_history("agent", "unknown", 5).empty());
}

TEST_P(HistoryStoreTest, LoadTurnsPagesBySeqWithoutGapOrDuplicate) {
  auto db = open();
  auto& history = *db->history();
  for (int i = 1; i <= 11; ++i) history.append_turn("agent", "s", i % 2 ? "user" : "assistant", text(std::to_string(i)));
  history.append_turn("agent", "other", "user", text("elsewhere"));
  history.append_turn("other agent", "s", "user", text("elsewhere"));

  std::vector<Turn> read;
  std::int64_t after = 0;
  int pages = 0;
  for (;;) {
    const auto page = history.load_turns("agent", "s", after, 4);
    if (page.empty()) break;
    ++pages;
    read.insert(read.end(), page.begin(), page.end());
    after = page.back().seq;
    // A turn appended between pages is read by the next one, not lost.
    if (pages == 1) history.append_turn("agent", "s", "user", text("12"));
  }
  EXPECT_EQ(pages, 3);
  ASSERT_THAT(seqs(read), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
  for (const Turn& turn : read) EXPECT_EQ(json::parse(turn.content_json), json(std::to_string(turn.seq)));
  EXPECT_EQ(read[1].role, "assistant");
  // Every turn as stored: a window starting at a tool result is not trimmed.
  EXPECT_EQ(read, history.load_turns("agent", "s", 0, 100));
  EXPECT_THAT(seqs(history.load_turns("agent", "s", 10, 100)), ElementsAre(11, 12));
  EXPECT_TRUE(history.load_turns("agent", "s", 12, 100).empty());
  EXPECT_TRUE(history.load_turns("agent", "s", 0, 0).empty());
  EXPECT_TRUE(history.load_turns("agent", "unknown", 0, 10).empty());
  EXPECT_THAT(seqs(history.load_turns("agent", "", 0, 10)), ElementsAre());
  EXPECT_THROW(history.load_turns("", "s", 0, 10), Error);
}

TEST_P(HistoryStoreTest, LoadTurnsKeepsToolExchangesWhole) {
  auto db = open();
  auto& history = *db->history();
  history.append_turn("agent", "s", "user", text("what is x?"));
  history.append_turn("agent", "s", "assistant", tool_use_with_id("t1"));
  history.append_turn("agent", "s", "user", tool_result("t1"));
  history.append_turn("agent", "s", "assistant", text("x is 42"));
  // load_history would drop a window that starts at the tool result; a page does not.
  const auto page = history.load_turns("agent", "s", 2, 10);
  ASSERT_THAT(seqs(page), ElementsAre(3, 4));
  EXPECT_EQ(json::parse(page[0].content_json), json::parse(tool_result("t1")));
}

TEST_P(HistoryStoreTest, EmptySessionIdIsTheDefaultSession) {
  auto db = open();
  auto& history = *db->history();
  EXPECT_EQ(history.append_turn("agent", "", "user", text("a")), 1);
  EXPECT_EQ(history.append_turn("agent", storage::kDefaultSession, "user", text("b")), 2);
  EXPECT_THAT(seqs(history.load_history("agent", "", 10)), ElementsAre(1, 2));
  EXPECT_THAT(seqs(history.load_turns("agent", "", 1, 10)), ElementsAre(2));
}

TEST_P(HistoryStoreTest, SessionsAndAgentsKeepSeparateSequences) {
  auto db = open();
  auto& history = *db->history();
  EXPECT_EQ(history.append_turn("a", "s1", "user", text("x")), 1);
  EXPECT_EQ(history.append_turn("a", "s2", "user", text("x")), 1);
  EXPECT_EQ(history.append_turn("b", "s1", "user", text("x")), 1);
  EXPECT_EQ(history.append_turn("a", "s1", "user", text("x")), 2);
  EXPECT_EQ(history.load_history("b", "s1", 10).size(), 1u);
}

TEST_P(HistoryStoreTest, WindowNeverStartsInsideAToolExchange) {
  auto db = open();
  auto& history = *db->history();
  const std::vector<std::pair<std::string, std::string>> turns = {
      {"user", text("what is x?")},                                                      // 1
      {"assistant", tool_use_with_id("t1")},                                                     // 2
      {"user", tool_result("t1")},                                                       // 3
      {"assistant", text("x is 42")},                                                    // 4
      {"user", json::array({{{"type", "text"}, {"text", "and y?"}}}).dump()},            // 5
      {"assistant", tool_use_with_id("t2")},                                                     // 6
      {"user", tool_result("t2")},                                                       // 7
      {"assistant", text("y is 42 too")},                                                // 8
  };
  for (const auto& [role, content] : turns) history.append_turn("agent", "s", role, content);

  EXPECT_THAT(seqs(history.load_history("agent", "s", 8)), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  EXPECT_THAT(seqs(history.load_history("agent", "s", 4)), ElementsAre(5, 6, 7, 8));
  // The last 6 start at a tool result (3): the window starts at the next plain user turn.
  EXPECT_THAT(seqs(history.load_history("agent", "s", 6)), ElementsAre(5, 6, 7, 8));
  EXPECT_THAT(seqs(history.load_history("agent", "s", 7)), ElementsAre(5, 6, 7, 8));
  // The last 3 hold no place to start.
  EXPECT_TRUE(history.load_history("agent", "s", 3).empty());
  EXPECT_TRUE(history.load_history("agent", "s", 1).empty());
}

TEST_P(HistoryStoreTest, QuotesUnicodeAndSqlMetacharactersRoundTrip) {
  auto db = open();
  auto& history = *db->history();
  const std::string agent = "a'gent\"; DROP TABLE sessions; --";
  const std::string session = "séssion 🚀 \\ %_ ' \" ;";
  const json content = json::array(
      {{{"type", "text"}, {"text", "'); DELETE FROM agent_history; -- \"quoted\" \\ 漢字 🎉 \t\n $1 ?1 %s"}}});
  EXPECT_EQ(history.append_turn(agent, session, "user", content.dump()), 1);
  const auto turns = history.load_history(agent, session, 10);
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(json::parse(turns[0].content_json), content);

  const auto page = history.list_sessions({.agent_name = agent, .limit = 10, .after = ""});
  ASSERT_EQ(page.sessions.size(), 1u);
  EXPECT_EQ(page.sessions[0].agent_name, agent);
  EXPECT_EQ(page.sessions[0].session_id, session);
  EXPECT_EQ(db->status().row_counts.at("sessions"), 1);
}

TEST_P(HistoryStoreTest, OneMebibyteContentRoundTrips) {
  auto db = open();
  std::string big;
  big.reserve(1 << 20);
  for (std::size_t i = 0; big.size() < (1u << 20); ++i) big += static_cast<char>('a' + i % 26);
  const json content = json::array({{{"type", "text"}, {"text", big}}});
  EXPECT_EQ(db->history()->append_turn("agent", "big", "user", content.dump()), 1);
  const auto turns = db->history()->load_history("agent", "big", 1);
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(json::parse(turns[0].content_json), content);
}

TEST_P(HistoryStoreTest, RejectsAnEmptyAgentOrRoleAndContentThatIsNotJson) {
  auto db = open();
  auto& history = *db->history();
  const auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  EXPECT_EQ(code_of([&] { history.append_turn("", "s", "user", text("x")); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { history.append_turn("a", "s", "", text("x")); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { history.append_turn("a", "s", "user", "{not json"); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { history.append_turn("a", "s", "user", R"(["nul \u0000 inside"])"); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { history.list_sessions({.agent_name = {}, .limit = 5, .after = "garbage"}); }),
            ErrorCode::kInvalidArgument);
  // Nothing was written by the rejected calls.
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 0);
}

TEST_P(HistoryStoreTest, ListSessionsPagesNewestFirstByKeyset) {
  auto db = open();
  auto& history = *db->history();
  for (const char* session : {"s1", "s2", "s3", "s4", "s5"}) {
    history.append_turn("alpha", session, "user", text("x"));
    next_millisecond();
  }
  history.append_turn("beta", "only", "user", text("x"));
  next_millisecond();
  history.append_turn("alpha", "s1", "assistant", text("y"));  // s1 becomes the newest

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    const auto page = history.list_sessions({.agent_name = {}, .limit = 2, .after = cursor});
    for (const auto& s : page.sessions) seen.push_back(s.agent_name + "/" + s.session_id);
    cursor = page.next_cursor;
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  EXPECT_THAT(seen, ElementsAre("alpha/s1", "beta/only", "alpha/s5", "alpha/s4", "alpha/s3", "alpha/s2"));
  EXPECT_EQ(pages, 3);

  const auto alpha = history.list_sessions({.agent_name = "alpha", .limit = 3, .after = ""});
  ASSERT_EQ(alpha.sessions.size(), 3u);
  EXPECT_EQ(alpha.sessions[0].session_id, "s1");
  EXPECT_EQ(alpha.sessions[0].turn_count, 2);
  EXPECT_EQ(alpha.sessions[1].session_id, "s5");
  const auto rest = history.list_sessions({.agent_name = "alpha", .limit = 3, .after = alpha.next_cursor});
  ASSERT_EQ(rest.sessions.size(), 2u);
  EXPECT_EQ(rest.sessions[0].session_id, "s3");
  EXPECT_EQ(rest.sessions[1].session_id, "s2");
  EXPECT_TRUE(rest.next_cursor.empty());
}

TEST_P(HistoryStoreTest, DeleteSessionRemovesItsTurnsOnly) {
  auto db = open();
  auto& history = *db->history();
  history.append_turn("agent", "gone", "user", text("x"));
  history.append_turn("agent", "gone", "assistant", text("y"));
  history.append_turn("agent", "kept", "user", text("z"));

  EXPECT_TRUE(history.delete_session("agent", "gone"));
  EXPECT_FALSE(history.delete_session("agent", "gone"));
  EXPECT_TRUE(history.load_history("agent", "gone", 10).empty());
  EXPECT_EQ(history.load_history("agent", "kept", 10).size(), 1u);
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 1);
  EXPECT_EQ(history.list_sessions({.agent_name = "agent", .limit = 10, .after = ""}).sessions.size(), 1u);
  EXPECT_EQ(history.append_turn("agent", "gone", "user", text("again")), 1);
}

TEST_P(HistoryStoreTest, MigrationsAreRecordedOnceAndReopeningChangesNothing) {
  {
    auto db = open();
    db->history()->append_turn("agent", "s", "user", text("x"));
  }
  auto db = open();
  db->migrate();
  const auto status = db->status();
  EXPECT_EQ(status.schema_version, 8);
  EXPECT_EQ(status.row_counts.at("schema_migrations"), 8);
  EXPECT_EQ(status.row_counts.at("agent_history"), 1);
  EXPECT_EQ(db->history()->append_turn("agent", "s", "user", text("y")), 2);
}

TEST_P(HistoryStoreTest, HistoryStoreIsAbsentWhenHistoryStorageIsOff) {
  auto off = settings();
  off.store_history = false;
  auto db = storage::StorageManager::open(off);
  EXPECT_EQ(db->history(), nullptr);
  EXPECT_EQ(db->status().schema_version, 8);  // the schema is still brought up to date
}

TEST_P(HistoryStoreTest, StatusNamesBackendAndMaskedLocation) {
  auto db = open();
  const auto status = db->status();
  EXPECT_EQ(status.backend, is_postgres() ? "postgresql" : "sqlite");
  if (is_postgres()) {
    EXPECT_THAT(status.location, HasSubstr("postgres:***@127.0.0.1"));
    EXPECT_THAT(status.location, Not(HasSubstr(PostgresServer::shared().password())));
  } else {
    EXPECT_EQ(status.location, url_);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "data/aurite.db"));
    EXPECT_TRUE(sqlite_has_table(dir_ / "data/aurite.db", "agent_history_fts"));
  }
  for (const char* table : {"client_configs", "llm_configs", "agent_configs", "workflow_configs",
                            "custom_workflow_configs", "graph_workflow_configs", "sessions", "agent_history",
                            "secrets", "paused_runs", "approvals", "runs", "run_events", "schema_migrations"}) {
    EXPECT_TRUE(status.row_counts.contains(table)) << table;
  }
}

TEST_P(HistoryStoreTest, ThreadsAppendingToOneSessionGetDistinctSeqs) {
  auto db = open();
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::vector<std::vector<std::int64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(db->history()->append_turn("agent", "s", "user", text("x")));
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::int64_t> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kEach);
}

}  // namespace
}  // namespace aurite::testing
