// Owners of the libpq handles and the one place their results become aurite::Error.
// Internal to the storage module; used by the PostgreSQL backend only.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "aurite/common/error.hpp"
#include "aurite/storage/settings.hpp"

namespace aurite::storage::postgres {

// An error reported by PostgreSQL or libpq. `sqlstate` is empty when the server sent none
// (the connection failed). The message names the call, the masked location, the server's
// message and the SQLSTATE.
class PgError : public Error {
 public:
  PgError(ErrorCode code, const std::string& message, std::string sqlstate, bool connection_lost)
      : Error(code, message), sqlstate_(std::move(sqlstate)), connection_lost_(connection_lost) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  // The connection is unusable: the statement may or may not have run.
  bool connection_lost() const noexcept { return connection_lost_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

struct ResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
// The one owner of a PGresult: move-only, cleared exactly once.
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A statement prepared once per connection under `name`. Both are named constants.
struct Query {
  const char* name;
  const char* sql;
};

// One text-format parameter. Views the string it was made from, which must outlive the
// call (temporaries in the call expression do).
class Param {
 public:
  Param(const std::string& text) : data_(text.c_str()), length_(static_cast<int>(text.size())) {}  // NOLINT
  Param(std::nullptr_t) {}  // NOLINT: SQL NULL
  Param(const char*) = delete;  // say std::string: the length must be known
  const char* data() const { return data_; }
  int length() const { return length_; }

 private:
  const char* data_ = nullptr;
  int length_ = 0;
};

// The value, or SQL NULL when there is none.
inline Param optional_param(const std::optional<std::string>& value) {
  return value ? Param(*value) : Param(nullptr);
}

// One connection. Move-only; PQfinish in the destructor. Not thread-safe: one user at a
// time (the pool guarantees it).
class Connection {
 public:
  // Connects with libpq's connect_timeout and our statement_timeout. Throws
  // PgError(kUnavailable) naming host:port and the masked location when it cannot.
  explicit Connection(const StorageSettings& settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `query`, preparing it first when this connection has not yet. Throws PgError.
  Result exec(const Query& query, std::initializer_list<Param> params = {});

  // Runs one statement unprepared (DDL, transaction control). Throws PgError.
  Result exec_once(const char* sql, std::initializer_list<Param> params = {});

  // Whether the connection can take a statement now: open, outside any transaction, and
  // nothing (a shutdown notice, end of stream) waiting on its socket. Never blocks.
  bool healthy();

  const std::string& where() const noexcept { return where_; }

 private:
  Result checked(Result result, std::string_view call);

  PGconn* conn_ = nullptr;
  std::string where_;     // masked location
  std::string password_;  // scrubbed from any message libpq returns
  std::set<const char*> prepared_;
};

// A transaction: BEGIN now; commit() is explicit; the destructor rolls back an open one
// and never throws.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& conn_;
  bool open_ = false;
};

// Reading columns of a row (text format).
std::string text_at(const Result& result, int row, int column);
std::int64_t int64_at(const Result& result, int row, int column);
double double_at(const Result& result, int row, int column);
bool null_at(const Result& result, int row, int column);

}  // namespace aurite::storage::postgres
