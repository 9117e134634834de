// The thin layers over the C APIs: their errors carry the specific code, the database's
// message and the masked location, and the timeouts we set are in force.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/postgres/pg_conn.hpp"
#include "storage/scoped_env.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "support/postgres_server.hpp"
#include "support/temp_dir.hpp"

namespace aurite::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSleepTwoSeconds = "SELECT pg_sleep(2)";
constexpr const char* kDivideByZero = "SELECT 1 / $1::int";

storage::StorageSettings server_settings(std::chrono::milliseconds statement_timeout) {
  auto& server = PostgresServer::shared();
  ScopedEnv env;
  env.clear_storage().set("AURITE_ENABLE_DB", "1").set("AURITE_DB_URL", server.url("postgres"));
  auto settings = storage::load_storage_settings();
  settings.statement_timeout = statement_timeout;
  return settings;
}

TEST(StorageDrivers, PostgresStatementTimeoutIsATimeoutWithItsSqlstate) {
  storage::postgres::Connection conn(server_settings(200ms));
  const auto start = std::chrono::steady_clock::now();
  try {
    conn.exec_once(kSleepTwoSeconds);
    FAIL() << "a 2 s statement outlived a 200 ms statement_timeout";
  } catch (const storage::postgres::PgError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
    EXPECT_EQ(e.sqlstate(), "57014");
    EXPECT_FALSE(e.connection_lost());
    EXPECT_THAT(e.what(), AllOf(HasSubstr("SQLSTATE 57014"), HasSubstr("postgres:***@127.0.0.1"),
                                Not(HasSubstr(PostgresServer::shared().password()))));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_TRUE(conn.healthy());  // a failed statement leaves the connection usable
}

TEST(StorageDrivers, PostgresServerErrorsCarryTheirSqlstate) {
  storage::postgres::Connection conn(server_settings(5s));
  try {
    conn.exec_once(kDivideByZero, {std::string("0")});
    FAIL() << "1 / 0 succeeded";
  } catch (const storage::postgres::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "22012");
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("division by zero"));
  }
}

TEST(StorageDrivers, SqliteWriterBlockedPastTheBusyTimeoutGetsATimeoutNamingTheFile) {
  TempDir dir;
  const auto file = dir / "db/aurite.db";
  storage::sqlite::Database holder(file, 100ms, "sqlite://" + file.string());
  storage::sqlite::Database waiter(file, 100ms, "sqlite://" + file.string());
  storage::sqlite::Transaction held(holder);
  const auto start = std::chrono::steady_clock::now();
  try {
    storage::sqlite::Transaction blocked(waiter);
    FAIL() << "two write transactions were open at once";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
    EXPECT_THAT(e.what(), AllOf(HasSubstr("sqlite code 5"), HasSubstr(file.string()), HasSubstr("BEGIN IMMEDIATE")));
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

}  // namespace
}  // namespace aurite::testing
