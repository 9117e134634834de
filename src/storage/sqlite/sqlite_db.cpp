#include "storage/sqlite/sqlite_db.hpp"

#include <system_error>
#include <thread>
#include <utility>

#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"

namespace aurite::storage::sqlite {
namespace {

constexpr const char* kPragmaWal = "PRAGMA journal_mode=WAL";
constexpr const char* kPragmaSyncFull = "PRAGMA synchronous=FULL";
constexpr const char* kPragmaForeignKeys = "PRAGMA foreign_keys=ON";
constexpr const char* kBeginImmediate = "BEGIN IMMEDIATE";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";

ErrorCode code_for(int rc) {
  // The same code PostgreSQL's unique_violation gets, so callers treat a taken key alike.
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) return ErrorCode::kAlreadyExists;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kTimeout;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return ErrorCode::kIo;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

void check(sqlite3* db, int rc, std::string_view call, const std::string& where) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(code_for(rc), std::string(call) + " failed on " + where + ": " + message +
                                " (" + sqlite3_errstr(rc) + ", sqlite code " +
                                std::to_string(extended) + ")");
}

Statement::Statement(sqlite3* db, const char* sql, const std::string& where) : db_(db), where_(&where) {
  check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr),
        "sqlite3_prepare_v3", where);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), where_(other.where_) {}

void Statement::bind(int index, std::string_view text) {
  check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "sqlite3_bind_text64", *where_);
}

void Statement::bind(int index, const std::optional<std::string>& text) {
  if (text) {
    bind(index, std::string_view(*text));
  } else {
    check(db_, sqlite3_bind_null(stmt_, index), "sqlite3_bind_null", *where_);
  }
}

void Statement::bind(int index, std::int64_t value) {
  check(db_, sqlite3_bind_int64(stmt_, index, value), "sqlite3_bind_int64", *where_);
}

void Statement::bind(int index, double value) {
  check(db_, sqlite3_bind_double(stmt_, index, value), "sqlite3_bind_double", *where_);
}

void Statement::bind(int index, const std::optional<double>& value) {
  if (value) {
    bind(index, *value);
  } else {
    check(db_, sqlite3_bind_null(stmt_, index), "sqlite3_bind_null", *where_);
  }
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    // Name the statement (its first words; parameters are never in the text).
    const std::string sql = sqlite3_sql(stmt_);
    check(db_, rc, "sqlite3_step(" + sql.substr(0, 40) + (sql.size() > 40 ? "...)" : ")"), *where_);
  }
  return rc == SQLITE_ROW;
}

std::int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

std::string Statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Database::Database(const std::filesystem::path& path, std::chrono::milliseconds busy_timeout,
                   std::string where)
    : where_(std::move(where)) {
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw Error(ErrorCode::kIo, "cannot create the folder of " + where_ + ": " + ec.message());
    }
  }
  // The handle is stored before the return code is read so a failed open is still closed.
  const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorCode::kIo, "sqlite3_open_v2 failed on " + where_ + ": " + message +
                                    " (sqlite code " + std::to_string(rc) + ")");
  }
  // SQLite opens a file it may not write read-only without a word; every later write
  // would then fail with a message that does not say why.
  if (sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorCode::kIo, "cannot write " + where_ +
                                    ": the file is read-only to this process (check the permissions of the file"
                                    " and its folder)");
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    check(db_, sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count())), "sqlite3_busy_timeout",
          where_);
    set_wal_mode(busy_timeout);
    exec(kPragmaSyncFull);
    exec(kPragmaForeignKeys);
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

void Database::set_wal_mode(std::chrono::milliseconds busy_timeout) {
  // Switching a new file to WAL takes an exclusive lock, and SQLite reports SQLITE_BUSY
  // for it without calling the busy handler when another process is doing the same or
  // writing; so wait here, as the busy handler would.
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    try {
      exec(kPragmaWal);
      return;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kTimeout || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Database::~Database() {
  cache_.clear();  // statements are finalised before the connection closes
  sqlite3_close_v2(db_);
}

StatementUse Database::cached(const char* sql) {
  auto& slot = cache_[sql];
  if (!slot) slot = std::make_unique<Statement>(db_, sql, where_);
  return StatementUse(*slot);
}

void Database::exec(const char* sql) {
  Statement statement(db_, sql, where_);
  while (statement.step()) {
  }
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec(kBeginImmediate);
  open_ = true;
}

Transaction::~Transaction() {
  // SQLite has already rolled back by itself after some errors (a full disk, for one).
  if (!open_ || sqlite3_get_autocommit(db_.handle()) != 0) return;
  const int rc = sqlite3_exec(db_.handle(), kRollback, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    spdlog::warn("rollback failed on {}: {}", db_.where(), sqlite3_errmsg(db_.handle()));
  }
}

void Transaction::commit() {
  db_.exec(kCommit);
  open_ = false;
}

}  // namespace aurite::storage::sqlite
