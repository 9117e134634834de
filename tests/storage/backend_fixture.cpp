#include "storage/backend_fixture.hpp"

#include <chrono>
#include <thread>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "storage/scoped_env.hpp"
#include "support/postgres_server.hpp"

namespace aurite::testing {

void BackendTest::SetUp() {
  if (is_postgres()) {
    auto& server = PostgresServer::shared();
    database_ = server.create_database();
    url_ = server.url(database_);
  } else {
    url_ = "sqlite://" + (dir_ / "data/aurite.db").string();  // absolute: sqlite:///tmp/...
  }
}

std::map<std::string, std::string> BackendTest::db_env() const {
  return {{"AURITE_ENABLE_DB", "true"}, {"AURITE_DB_URL", url_}};
}

storage::StorageSettings BackendTest::settings() const {
  ScopedEnv env;
  env.clear_storage();
  for (const auto& [name, value] : db_env()) env.set(name, value);
  return storage::load_storage_settings();
}

std::unique_ptr<storage::StorageManager> BackendTest::open() const {
  return storage::StorageManager::open(settings());
}

void BackendTest::exec_sql(const std::string& sql) const {
  if (is_postgres()) {
    PGconn* conn = PQconnectdb(url_.c_str());
    std::unique_ptr<PGconn, decltype(&PQfinish)> owner(conn, &PQfinish);
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    ASSERT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << PQerrorMessage(conn) << sql;
    return;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2((dir_ / "data/aurite.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, &sqlite3_close);
  ASSERT_EQ(rc, SQLITE_OK);
  sqlite3_busy_timeout(db, 10'000);
  char* error = nullptr;
  const int exec_rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  ASSERT_EQ(exec_rc, SQLITE_OK) << message << "\n" << sql;
}

void BackendTest::fail_writes_of(const std::string& table, const std::string& name) const {
  // Test set-up DDL: names are this test's constants, not user input.
  ASSERT_TRUE(table.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
  ASSERT_TRUE(name.find('\'') == std::string::npos);
  if (is_postgres()) {
    exec_sql("CREATE FUNCTION fail_" + table + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
             " IF NEW.name = '" + name + "' THEN RAISE EXCEPTION 'injected failure writing " + name + "'; END IF;"
             " RETURN NEW; END $$");
    exec_sql("CREATE TRIGGER fail_" + table + " BEFORE INSERT OR UPDATE ON " + table +
             " FOR EACH ROW EXECUTE FUNCTION fail_" + table + "()");
    return;
  }
  for (const char* event : {"INSERT", "UPDATE"}) {
    exec_sql(std::string("CREATE TRIGGER fail_") + event + "_" + table + " BEFORE " + event + " ON " + table +
             " WHEN NEW.name = '" + name + "' BEGIN SELECT RAISE(ABORT, 'injected failure writing " + name +
             "'); END");
  }
}

ErrorCode code_of(const std::function<void()>& call, std::string* message) {
  try {
    call();
  } catch (const Error& e) {
    if (message != nullptr) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "no aurite::Error was thrown";
  return ErrorCode::kInternal;
}

void next_millisecond() {
  const auto start = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()) <= start &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
}

std::string backend_name(const ::testing::TestParamInfo<storage::DbType>& info) {
  return std::string(storage::to_string(info.param));
}

std::unique_ptr<storage::StorageManager> open_storage_at(const std::string& url) {
  ScopedEnv env;
  env.clear_storage();
  env.set("AURITE_ENABLE_DB", "true").set("AURITE_DB_URL", url);
  return storage::StorageManager::open(storage::load_storage_settings());
}

}  // namespace aurite::testing
