// The raw limit of the storage benchmark: the history workloads' statements through bare
// sqlite3 / libpq, nothing of ours, at the durability our backends use.
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <mutex>
#include <string>
#include <vector>

namespace aurite::bench {

// A ~500-byte turn: an Anthropic-style text block.
inline const std::string& content() {
  static const std::string text = [] {
    std::string words;
    while (words.size() < 440) words += "the quick brown fox jumps over the lazy dog ";
    return R"([{"type":"text","text":")" + words + R"("}])";
  }();
  return text;
}

class RawDb {
 public:
  virtual ~RawDb() = default;
  virtual void insert(const std::string& agent, const std::string& session, std::int64_t seq) = 0;
  virtual int select_last_50(const std::string& agent, const std::string& session) = 0;
  virtual void analyze() = 0;  // fresh planner statistics, as autovacuum / a maintenance job keeps
};

inline constexpr const char* kRawSqliteTable =
    "CREATE TABLE IF NOT EXISTS raw_turns (id INTEGER PRIMARY KEY, agent_name TEXT NOT NULL,"
    " session_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL,"
    " content TEXT NOT NULL CHECK (json_valid(content)),"
    " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), UNIQUE (agent_name, session_id, seq))";
inline constexpr const char* kRawSqliteInsert =
    "INSERT INTO raw_turns (agent_name, session_id, seq, role, content) VALUES (?1, ?2, ?3, 'user', ?4)";
inline constexpr const char* kRawSqliteSelect =
    "SELECT seq, role, content, created_at FROM agent_history WHERE agent_name = ?1 AND session_id = ?2"
    " ORDER BY seq DESC LIMIT ?3";

class RawSqlite final : public RawDb {
 public:
  explicit RawSqlite(const std::string& path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) throw std::runtime_error("sqlite3_open_v2 failed");
    sqlite3_busy_timeout(db_, 15000);
    // The durability of our backend: WAL, a full sync at every commit.
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", kRawSqliteTable}) exec(sql);
    prepare(kRawSqliteInsert, &insert_);
    prepare(kRawSqliteSelect, &select_);
  }
  ~RawSqlite() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(select_);
    sqlite3_close_v2(db_);
  }
  void insert(const std::string& agent, const std::string& session, std::int64_t seq) override {
    sqlite3_bind_text(insert_, 1, agent.data(), static_cast<int>(agent.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 2, session.data(), static_cast<int>(session.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert_, 3, seq);
    sqlite3_bind_text(insert_, 4, content().data(), static_cast<int>(content().size()), SQLITE_STATIC);
    const int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("raw insert: ") + sqlite3_errmsg(db_));
  }
  int select_last_50(const std::string& agent, const std::string& session) override {
    sqlite3_bind_text(select_, 1, agent.data(), static_cast<int>(agent.size()), SQLITE_STATIC);
    sqlite3_bind_text(select_, 2, session.data(), static_cast<int>(session.size()), SQLITE_STATIC);
    sqlite3_bind_int64(select_, 3, 50);
    // The rows are read into strings, as any caller of the query must to use them.
    std::vector<Row> rows;
    while (sqlite3_step(select_) == SQLITE_ROW) {
      rows.push_back({sqlite3_column_int64(select_, 0), column_text(1), column_text(2), column_text(3)});
    }
    sqlite3_reset(select_);
    return static_cast<int>(rows.size());
  }

  void analyze() override { exec("ANALYZE"); }
  void exec_sql(const char* sql) { exec(sql); }

 private:
  struct Row {
    std::int64_t seq;
    std::string role, content, created_at;
  };
  std::string column_text(int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select_, column));
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(select_, column)));
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("raw exec: ") + sqlite3_errmsg(db_));
    }
  }
  void prepare(const char* sql, sqlite3_stmt** stmt) {
    if (sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("raw prepare: ") + sqlite3_errmsg(db_));
    }
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

// SQLite has one writer at a time; the raw limit at 16 writers is one connection that
// they take turns on, as our backend does.
class SharedRawSqlite final : public RawDb {
 public:
  explicit SharedRawSqlite(RawSqlite& db) : db_(db) {}
  void insert(const std::string& agent, const std::string& session, std::int64_t seq) override {
    std::lock_guard lock(mutex());
    db_.insert(agent, session, seq);
  }
  int select_last_50(const std::string& agent, const std::string& session) override {
    std::lock_guard lock(mutex());
    return db_.select_last_50(agent, session);
  }
  void analyze() override { db_.analyze(); }

 private:
  static std::mutex& mutex() {
    static std::mutex m;  // one, as there is one shared connection
    return m;
  }
  RawSqlite& db_;
};

inline constexpr const char* kRawPgTable =
    "CREATE TABLE IF NOT EXISTS raw_turns (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " agent_name TEXT NOT NULL, session_id TEXT NOT NULL, seq BIGINT NOT NULL, role TEXT NOT NULL,"
    " content JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), UNIQUE (agent_name, session_id, seq))";
inline constexpr const char* kRawPgInsert =
    "INSERT INTO raw_turns (agent_name, session_id, seq, role, content) VALUES ($1, $2, $3::bigint, 'user', $4::jsonb)";
inline constexpr const char* kRawPgSelect =
    "SELECT seq, role, content::text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM agent_history WHERE agent_name = $1 AND session_id = $2 ORDER BY seq DESC LIMIT $3::bigint";

class RawPg final : public RawDb {
 public:
  explicit RawPg(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_.get()));
    PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);  // IF NOT EXISTS notices
    check(PQexec(conn_.get(), kRawPgTable));
    check(PQprepare(conn_.get(), "raw_insert", kRawPgInsert, 4, nullptr));
    check(PQprepare(conn_.get(), "raw_select", kRawPgSelect, 3, nullptr));
  }
  void insert(const std::string& agent, const std::string& session, std::int64_t seq) override {
    const std::string seq_text = std::to_string(seq);
    const char* values[] = {agent.c_str(), session.c_str(), seq_text.c_str(), content().c_str()};
    check(PQexecPrepared(conn_.get(), "raw_insert", 4, values, nullptr, nullptr, 0));
  }
  int select_last_50(const std::string& agent, const std::string& session) override {
    const char* values[] = {agent.c_str(), session.c_str(), "50"};
    PGresult* result = PQexecPrepared(conn_.get(), "raw_select", 3, values, nullptr, nullptr, 0);
    // The rows are read into strings, as any caller of the query must to use them.
    std::vector<std::string> cells;
    for (int row = 0; row < PQntuples(result); ++row) {
      for (int column = 0; column < 4; ++column) {
        cells.emplace_back(PQgetvalue(result, row, column), static_cast<std::size_t>(PQgetlength(result, row, column)));
      }
    }
    check(result);
    return static_cast<int>(cells.size() / 4);
  }

  void analyze() override { check(PQexec(conn_.get(), "ANALYZE agent_history")); }
  void exec_sql(const char* sql) { check(PQexec(conn_.get(), sql)); }

 private:
  void check(PGresult* raw) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(raw, &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string("raw libpq: ") + PQresultErrorMessage(result.get()));
    }
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace aurite::bench
