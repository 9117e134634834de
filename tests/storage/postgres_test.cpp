// What only PostgreSQL has: a server that may be unreachable, a password, restarts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/storage/storage_manager.hpp"
#include "storage/scoped_env.hpp"
#include "support/postgres_server.hpp"

namespace aurite::testing {
namespace {

using namespace std::chrono_literals;
using storage::StorageManager;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The error StorageManager::open throws, or a test failure when it succeeds.
Error open_error(const storage::StorageSettings& settings) {
  try {
    StorageManager::open(settings);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "open succeeded";
  return Error(ErrorCode::kInternal, "");
}

storage::StorageSettings postgres_settings(const std::string& host, std::uint16_t port, const std::string& password) {
  ScopedEnv env;
  env.clear_storage()
      .set("AURITE_ENABLE_DB", "1")
      .set("AURITE_DB_TYPE", "postgresql")
      .set("AURITE_DB_HOST", host)
      .set("AURITE_DB_PORT", std::to_string(port))
      .set("AURITE_DB_USER", PostgresServer::kUser)
      .set("AURITE_DB_PASSWORD", password)
      .set("AURITE_DB_NAME", "postgres");
  return storage::load_storage_settings();
}

TEST(StoragePostgres, UnreachableServerIsAClearErrorNamingHostAndPortWithinTenSeconds) {
  // A port nobody listens on (refused at once), and an address nothing answers from
  // (only connect_timeout ends the wait).
  for (const auto& [host, port] : {std::pair<std::string, std::uint16_t>{"127.0.0.1", 1},
                                   std::pair<std::string, std::uint16_t>{"10.255.255.1", 5432}}) {
    const auto start = std::chrono::steady_clock::now();
    const Error e = open_error(postgres_settings(host, port, "Sup3r-Secret-pw"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << host;
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
    EXPECT_THAT(e.what(), AllOf(HasSubstr(host + ":" + std::to_string(port)), HasSubstr("***"),
                                Not(HasSubstr("Sup3r-Secret-pw"))));
  }
}

TEST(StoragePostgres, WrongPasswordIsRejectedWithoutShowingIt) {
  auto& server = PostgresServer::shared();
  const Error e = open_error(postgres_settings("127.0.0.1", server.port(), "Wr0ng-Secret-pw"));
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(e.what(), AllOf(HasSubstr("127.0.0.1:" + std::to_string(server.port())), HasSubstr("password"),
                              Not(HasSubstr("Wr0ng-Secret-pw"))));
}

TEST(StoragePostgres, OptionalDatabaseThatIsUnreachableMeansRunningWithout) {
  auto settings = postgres_settings("127.0.0.1", 1, "pw");
  settings.optional = true;
  EXPECT_EQ(StorageManager::open_if_enabled(settings), nullptr);
  settings.optional = false;
  EXPECT_THROW(StorageManager::open_if_enabled(settings), Error);
}

TEST(StoragePostgres, DisabledFlagOpensNoConnection) {
  auto& server = PostgresServer::shared();
  const std::string database = server.create_database();
  ScopedEnv env;
  env.clear_storage().set("AURITE_DB_URL", server.url(database));
  EXPECT_EQ(StorageManager::open_if_enabled(storage::load_storage_settings()), nullptr);
  EXPECT_EQ(server.count_connections(database, "aurite"), 0);

  env.set("AURITE_ENABLE_DB", "true");  // the same check sees a connection when enabled
  auto db = StorageManager::open_if_enabled(storage::load_storage_settings());
  ASSERT_NE(db, nullptr);
  EXPECT_GE(server.count_connections(database, "aurite"), 1);
}

TEST(StoragePostgres, AppendAfterAServerRestartReconnectsAndSucceeds) {
  auto& server = PostgresServer::shared();
  const std::string database = server.create_database();
  auto settings = postgres_settings("127.0.0.1", server.port(), server.password());
  settings.database = database;
  auto db = StorageManager::open(settings);
  EXPECT_EQ(db->history()->append_turn("agent", "s", "user", "\"before\""), 1);

  server.stop();
  try {
    db->history()->append_turn("agent", "s", "user", "\"while down\"");
    ADD_FAILURE() << "append succeeded with the server stopped";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
    EXPECT_THAT(e.what(), AllOf(HasSubstr("127.0.0.1:" + std::to_string(server.port())),
                                Not(HasSubstr(server.password()))));
  }
  server.start();

  EXPECT_EQ(db->history()->append_turn("agent", "s", "user", "\"after\""), 2);
  const auto turns = db->history()->load_history("agent", "s", 10);
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[1].content_json, "\"after\"");

  // Restarted while the pooled connection sat idle: the next append notices on checkout.
  server.stop();
  server.start();
  EXPECT_EQ(db->history()->append_turn("agent", "s", "user", "\"after again\""), 3);
}

TEST(StoragePostgres, RestartWhileIdleIsInvisibleToReaders) {
  auto& server = PostgresServer::shared();
  const std::string database = server.create_database();
  auto settings = postgres_settings("127.0.0.1", server.port(), server.password());
  settings.database = database;
  auto db = StorageManager::open(settings);
  db->history()->append_turn("agent", "s", "user", "\"x\"");
  server.stop();
  server.start();
  EXPECT_EQ(db->history()->load_history("agent", "s", 10).size(), 1u);
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 1);
}

}  // namespace
}  // namespace aurite::testing
