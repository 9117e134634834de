// The raw limit of reading one page of a session's history: the turns after a seq, in seq
// order, through bare sqlite3 / libpq on our own `agent_history` table, nothing of ours.
// Each reader is one connection, for one thread.
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace aurite::bench {

class RawTurnPage {
 public:
  virtual ~RawTurnPage() = default;
  // Reads up to `limit` turns with seq > after_seq into strings; returns how many.
  virtual int read(const std::string& agent, const std::string& session, std::int64_t after_seq, int limit) = 0;
};

struct RawTurn {
  std::string seq, role, content, created_at;
};

inline constexpr const char* kRawSqlitePage =
    "SELECT seq, role, content, created_at FROM agent_history WHERE agent_name = ?1 AND session_id = ?2"
    " AND seq > ?3 ORDER BY seq LIMIT ?4";

class RawSqlitePage final : public RawTurnPage {
 public:
  explicit RawSqlitePage(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close_v2(db_);
      throw std::runtime_error("raw sqlite open " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 15000);
    if (sqlite3_prepare_v2(db_, kRawSqlitePage, -1, &select_, nullptr) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db_);
      sqlite3_close_v2(db_);
      throw std::runtime_error("raw sqlite prepare: " + message);
    }
  }
  ~RawSqlitePage() override {
    sqlite3_finalize(select_);
    sqlite3_close_v2(db_);
  }
  RawSqlitePage(const RawSqlitePage&) = delete;
  RawSqlitePage& operator=(const RawSqlitePage&) = delete;

  int read(const std::string& agent, const std::string& session, std::int64_t after_seq, int limit) override {
    sqlite3_bind_text(select_, 1, agent.data(), static_cast<int>(agent.size()), SQLITE_STATIC);
    sqlite3_bind_text(select_, 2, session.data(), static_cast<int>(session.size()), SQLITE_STATIC);
    sqlite3_bind_int64(select_, 3, after_seq);
    sqlite3_bind_int(select_, 4, limit);
    std::vector<RawTurn> turns;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(select_)) == SQLITE_ROW) {
      turns.push_back({text(0), text(1), text(2), text(3)});
    }
    sqlite3_reset(select_);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("raw sqlite page: ") + sqlite3_errmsg(db_));
    return static_cast<int>(turns.size());
  }

 private:
  std::string text(int column) {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(select_, column));
    return std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(select_, column)));
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

// The text our PostgreSQL backend reads turns with: content as text, created_at formatted.
inline constexpr const char* kRawPgPage =
    "SELECT seq, role, content::text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM agent_history WHERE agent_name = $1 AND session_id = $2 AND seq > $3::bigint"
    " ORDER BY seq LIMIT $4::bigint";

class RawPgPage final : public RawTurnPage {
 public:
  explicit RawPgPage(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_.get()));
    check(PQprepare(conn_.get(), "raw_page", kRawPgPage, 4, nullptr), PGRES_COMMAND_OK);
  }

  int read(const std::string& agent, const std::string& session, std::int64_t after_seq, int limit) override {
    const std::string after_text = std::to_string(after_seq);
    const std::string limit_text = std::to_string(limit);
    const char* values[] = {agent.c_str(), session.c_str(), after_text.c_str(), limit_text.c_str()};
    Result result(PQexecPrepared(conn_.get(), "raw_page", 4, values, nullptr, nullptr, 0), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string("raw libpq page: ") + PQresultErrorMessage(result.get()));
    }
    std::vector<RawTurn> turns;
    for (int row = 0; row < PQntuples(result.get()); ++row) {
      turns.push_back({cell(result.get(), row, 0), cell(result.get(), row, 1), cell(result.get(), row, 2),
                       cell(result.get(), row, 3)});
    }
    return static_cast<int>(turns.size());
  }

 private:
  using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;
  static std::string cell(const PGresult* result, int row, int column) {
    return std::string(PQgetvalue(result, row, column), static_cast<std::size_t>(PQgetlength(result, row, column)));
  }
  void check(PGresult* raw, ExecStatusType expected) {
    Result result(raw, &PQclear);
    if (PQresultStatus(result.get()) != expected) {
      throw std::runtime_error(std::string("raw libpq: ") + PQresultErrorMessage(result.get()));
    }
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace aurite::bench
