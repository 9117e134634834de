// Owners of the sqlite3 C handles and the one place their return codes become
// aurite::Error. Internal to the storage module; used by the SQLite backend only.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace aurite::storage::sqlite {

// Throws Error naming `call`, the database (masked location `where`), SQLite's message
// and its extended result code unless `rc` is SQLITE_OK, SQLITE_ROW or SQLITE_DONE.
// Busy/locked becomes kTimeout, file problems kIo, anything else kInternal.
void check(sqlite3* db, int rc, std::string_view call, const std::string& where);

// One prepared statement. Move-only; finalised by the destructor.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& where);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL (?1, ?2, ...). The text is copied.
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind(int index, const char*) = delete;  // would bind a pointer as an integer
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const std::optional<std::string>& text);  // NULL when empty
  void bind(int index, double value);
  void bind(int index, const std::optional<double>& value);  // NULL when empty

  // Runs to the next row: true when one is available, false when the statement is done.
  bool step();
  std::int64_t column_int64(int index) const;
  std::string column_text(int index) const;
  double column_double(int index) const;
  bool column_is_null(int index) const;

  // Makes the statement ready for its next use: resets it and clears its bindings.
  void reset() noexcept;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  const std::string* where_ = nullptr;
};

// A cached statement in use; resets it when the use ends, so no read stays open.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(&statement) {}
  ~StatementUse() { statement_->reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

// One open database connection. Move-only; closed by the destructor. Not thread-safe:
// the owner serialises calls.
class Database {
 public:
  // Creates the parent folder and the file when missing, then sets WAL journaling, full sync (a commit
  // survives a crash), foreign keys and the busy timeout. Error(kIo) when it cannot be written.
  Database(const std::filesystem::path& path, std::chrono::milliseconds busy_timeout,
           std::string where);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The statement for `sql`, prepared on first use and kept for the life of the
  // connection. `sql` must be a named constant (its address is the cache key).
  StatementUse cached(const char* sql);

  // Runs one statement that takes no parameters, stepping through any rows it returns.
  void exec(const char* sql);

  const std::string& where() const noexcept { return where_; }
  sqlite3* handle() const noexcept { return db_; }

 private:
  void set_wal_mode(std::chrono::milliseconds busy_timeout);

  sqlite3* db_ = nullptr;
  std::string where_;
  std::map<const char*, std::unique_ptr<Statement>> cache_;
};

// A write transaction: BEGIN IMMEDIATE takes the write lock at once (waiting up to the
// busy timeout), so reads inside see the latest committed state and the commit cannot
// fail for a lock upgrade. The destructor rolls back unless commit() succeeded; it never
// throws.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace aurite::storage::sqlite
