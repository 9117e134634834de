#include "storage/postgres/pg_conn.hpp"

#include <poll.h>

#include <charconv>
#include <locale>
#include <sstream>
#include <vector>

#include "aurite/common/log.hpp"
#include "storage/uri.hpp"

namespace aurite::storage::postgres {
namespace {

constexpr const char* kBegin = "BEGIN";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";

ErrorCode code_for(const std::string& sqlstate, bool connection_lost) {
  if (connection_lost || sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return ErrorCode::kUnavailable;
  }
  if (sqlstate == "57014" || sqlstate == "55P03") return ErrorCode::kTimeout;  // timeouts
  if (sqlstate == "23505") return ErrorCode::kAlreadyExists;
  if (sqlstate.starts_with("22")) return ErrorCode::kInvalidArgument;  // data exceptions
  if (sqlstate.starts_with("40")) return ErrorCode::kUnavailable;      // serialization, deadlock
  return ErrorCode::kInternal;
}

// libpq's message on one line: its line breaks and tab indents become "; ".
std::string trimmed(const char* message) {
  std::string text;
  for (const char* p = message != nullptr ? message : ""; *p != '\0'; ++p) {
    if (*p == '\n' || *p == '\t') {
      if (!text.empty() && !text.ends_with("; ")) text += "; ";
    } else {
      text += *p;
    }
  }
  while (text.ends_with("; ")) text.resize(text.size() - 2);
  return text;
}

}  // namespace

Connection::Connection(const StorageSettings& settings)
    : where_(settings.masked()),
      password_(settings.url ? pg_uri_password(*settings.url) : settings.password) {
  const std::string connect_timeout = std::to_string(settings.connect_timeout.count());
  const std::string options = "-c statement_timeout=" + std::to_string(settings.statement_timeout.count());
  const std::string port = std::to_string(settings.port);
  std::vector<const char*> keys = {"connect_timeout", "options", "application_name"};
  std::vector<const char*> values = {connect_timeout.c_str(), options.c_str(), "aurite"};
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    keys.push_back(key);
    values.push_back(value.c_str());
  };
  if (settings.url) {
    add("dbname", *settings.url);  // expanded: the URI's own settings win over ours above
  } else {
    add("host", settings.host);
    add("port", port);
    add("user", settings.user);
    add("password", settings.password);
    add("dbname", settings.database);
    add("sslmode", settings.sslmode);
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  // Stored before its status is read, so a failed connection is still finished.
  conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/settings.url ? 1 : 0);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string reason = conn_ != nullptr ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    reason = scrub_secret(std::move(reason), password_);
    throw PgError(ErrorCode::kUnavailable,
                  "cannot connect to PostgreSQL at " + settings.endpoint() + " (" + where_ + "): " + reason,
                  "", /*connection_lost=*/true);
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);  // NOTICEs (IF NOT EXISTS, ...) are not errors
}

Connection::~Connection() { PQfinish(conn_); }

Result Connection::checked(Result result, std::string_view call) {
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  std::string sqlstate;
  std::string message;
  if (result) {
    const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    sqlstate = state != nullptr ? state : "";
    message = trimmed(PQresultErrorMessage(result.get()));
  }
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  message = scrub_secret(std::move(message), password_);
  throw PgError(code_for(sqlstate, lost),
                std::string(call) + " failed on " + where_ + ": " + message +
                    (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"),
                sqlstate, lost);
}

Result Connection::exec(const Query& query, std::initializer_list<Param> params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const Param& p : params) {
    values.push_back(p.data());
    lengths.push_back(p.length());
  }
  const int count = static_cast<int>(values.size());
  if (!prepared_.contains(query.name)) {
    checked(Result(PQprepare(conn_, query.name, query.sql, count, nullptr)), "PQprepare");
    prepared_.insert(query.name);
  }
  return checked(Result(PQexecPrepared(conn_, query.name, count, values.data(), lengths.data(), nullptr, 0)),
                 query.name);
}

Result Connection::exec_once(const char* sql, std::initializer_list<Param> params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const Param& p : params) {
    values.push_back(p.data());
    lengths.push_back(p.length());
  }
  return checked(Result(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                                     lengths.data(), nullptr, 0)),
                 "PQexecParams");
}

bool Connection::healthy() {
  if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
  // An idle connection has nothing to read unless the server spoke first: a notice that
  // it is shutting down, or the end of the stream. Reading it now turns a connection
  // broken by a server restart into CONNECTION_BAD before we send anything on it.
  for (int round = 0; round < 8; ++round) {
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) == 0) return false;
    while (PGnotify* notify = PQnotifies(conn_)) PQfreemem(notify);
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    if (fd.revents & (POLLHUP | POLLERR)) return false;
  }
  return PQstatus(conn_) == CONNECTION_OK;
}

Transaction::Transaction(Connection& conn) : conn_(conn) {
  conn_.exec_once(kBegin);
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    conn_.exec_once(kRollback);
  } catch (const std::exception& e) {
    // The connection is then unusable and the pool's health check drops it.
    spdlog::warn("rollback failed: {}", e.what());
  }
}

void Transaction::commit() {
  conn_.exec_once(kCommit);
  open_ = false;
}

std::string text_at(const Result& result, int row, int column) {
  const char* value = PQgetvalue(result.get(), row, column);
  return std::string(value, static_cast<std::size_t>(PQgetlength(result.get(), row, column)));
}

double double_at(const Result& result, int row, int column) {
  const std::string value = text_at(result, row, column);
  // The C locale's reading, whatever the process's locale is.
  std::istringstream in(value);
  in.imbue(std::locale::classic());
  double out = 0;
  if (!(in >> out) || !in.eof()) throw Error(ErrorCode::kInternal, "expected a number from PostgreSQL, got '" + value + "'");
  return out;
}

bool null_at(const Result& result, int row, int column) { return PQgetisnull(result.get(), row, column) != 0; }

std::int64_t int64_at(const Result& result, int row, int column) {
  const char* value = PQgetvalue(result.get(), row, column);
  const int length = PQgetlength(result.get(), row, column);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(value, value + length, out);
  if (ec != std::errc() || end != value + length) {
    throw Error(ErrorCode::kInternal, "expected an integer from PostgreSQL, got '" +
                                          std::string(value, static_cast<std::size_t>(length)) + "'");
  }
  return out;
}

}  // namespace aurite::storage::postgres
