// Credentials in the database, on both backends: sealed before they reach a row, refused
// when a row was altered or moved, read-modify-write one process at a time across two
// managers (two processes' worth of connections), a dead holder's lock outlived, and a
// change that outlasts its lock refused rather than written over another's. The clock is
// the test's: waits of a minute take milliseconds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "storage/backend.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/db_secret_store.hpp"
#include "storage/scoped_env.hpp"
#include "support/manual_clock.hpp"

namespace aurite::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

std::shared_ptr<const secrets::SecretBox> box_of(std::uint8_t fill) {
  std::array<std::uint8_t, secrets::kKeyBytes> key{};
  key.fill(fill);
  return std::make_shared<const secrets::SecretBox>(key);
}

Error error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kInternal, "no error was thrown");
}

class SecretStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    db_ = open();
  }

  // A store on connections of its own, as another process has.
  std::unique_ptr<storage::DbSecretStore> store(std::shared_ptr<const secrets::SecretBox> box,
                                                storage::SecretLockTiming timing = {}) {
    return std::make_unique<storage::DbSecretStore>(rows(), [box] { return box; }, "the test database", timing,
                                                    clock_);
  }

  std::shared_ptr<storage::Backend> rows() const { return storage::make_backend(settings()); }

  std::unique_ptr<storage::StorageManager> db_;
  ManualClock clock_;
  std::shared_ptr<const secrets::SecretBox> box_ = box_of(7);
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(SecretStoreTest);

TEST_P(SecretStoreTest, ValuesAreKeptSealedAndNamesListedByPrefix) {
  auto secrets = store(box_);
  secrets->put("mcp-oauth/notion", "refresh-token-1");
  secrets->put("mcp-oauth/linear", "refresh-token-2");
  secrets->put("other/x", "y");
  secrets->put("mcp-oauth%/z", "a prefix's % is a character, not a pattern");
  EXPECT_EQ(secrets->get("mcp-oauth/notion"), "refresh-token-1");
  EXPECT_EQ(secrets->get("mcp-oauth/absent"), std::nullopt);
  EXPECT_THAT(secrets->names("mcp-oauth/"), ElementsAre("mcp-oauth/linear", "mcp-oauth/notion"));
  EXPECT_THAT(secrets->names("mcp-oauth%"), ElementsAre("mcp-oauth%/z"));

  const auto sealed = rows()->sealed_secret("mcp-oauth/notion");
  ASSERT_TRUE(sealed);
  EXPECT_THAT(*sealed, StartsWith("a1." + box_->key_id() + "."));
  EXPECT_THAT(*sealed, Not(HasSubstr("refresh-token")));
  EXPECT_EQ(db_->status().row_counts.at("secrets"), 4);

  secrets->put("mcp-oauth/notion", "refresh-token-3");
  EXPECT_EQ(store(box_)->get("mcp-oauth/notion"), "refresh-token-3");  // seen by another process
  EXPECT_TRUE(secrets->remove("mcp-oauth/notion"));
  EXPECT_FALSE(secrets->remove("mcp-oauth/notion"));
  EXPECT_EQ(secrets->get("mcp-oauth/notion"), std::nullopt);
}

TEST_P(SecretStoreTest, AnAlteredMovedOrForeignRowIsRefusedNeverOpenedIntoGarbage) {
  auto secrets = store(box_);
  secrets->put("mcp-oauth/a", "token-of-a");
  auto raw = rows();
  std::string sealed = *raw->sealed_secret("mcp-oauth/a");

  std::string altered = sealed;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  raw->put_sealed_secret("mcp-oauth/a", altered, std::nullopt);
  Error error = error_of([&] { secrets->get("mcp-oauth/a"); });
  EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(error.what(), HasSubstr("mcp-oauth/a"));

  raw->put_sealed_secret("mcp-oauth/b", sealed, std::nullopt);  // a's value under b's name
  EXPECT_EQ(error_of([&] { secrets->get("mcp-oauth/b"); }).code(), ErrorCode::kUnauthenticated);

  raw->put_sealed_secret("mcp-oauth/a", sealed, std::nullopt);
  EXPECT_EQ(secrets->get("mcp-oauth/a"), "token-of-a");
  error = error_of([&] { store(box_of(9))->get("mcp-oauth/a"); });  // another installation's key
  EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(error.what(), HasSubstr("another key"));
  EXPECT_THAT(error.what(), Not(HasSubstr("token-of-a")));
}

// The second of two updates at once waits for the first and sees what it wrote: two
// processes that both find a token expired refresh it once.
TEST_P(SecretStoreTest, AnUpdateWaitsForTheOneInProgressAndSeesItsValue) {
  // The waiter's polls move the manual clock while the first holds the lock in real time;
  // a lock of hours cannot run out in the milliseconds that takes.
  const storage::SecretLockTiming hours{.lock_ttl = std::chrono::hours(10), .wait = std::chrono::hours(20)};
  auto first = store(box_, hours);
  auto second = store(box_, hours);
  first->put("mcp-oauth/x", "v0");
  std::promise<void> first_inside;
  std::promise<void> let_first_finish;
  auto a = std::async(std::launch::async, [&] {
    return first->update("mcp-oauth/x", [&](const std::optional<std::string>& current) {
      first_inside.set_value();
      let_first_finish.get_future().wait();
      return std::optional<std::string>(*current + "+a");
    });
  });
  first_inside.get_future().wait();
  std::optional<std::string> seen_by_second;
  auto b = std::async(std::launch::async, [&] {
    return second->update("mcp-oauth/x", [&](const std::optional<std::string>& current) {
      seen_by_second = current;
      return std::optional<std::string>(*current + "+b");
    });
  });
  ASSERT_TRUE(clock_.wait_for_pauses(1)) << "the second update never waited";
  let_first_finish.set_value();
  EXPECT_EQ(a.get(), "v0+a");
  EXPECT_EQ(b.get(), "v0+a+b");
  EXPECT_EQ(seen_by_second, "v0+a");
  EXPECT_EQ(first->get("mcp-oauth/x"), "v0+a+b");
}

TEST_P(SecretStoreTest, ALockWhoseHolderDiedIsTakenOverAfterItsTimeToLive) {
  auto secrets = store(box_, {.lock_ttl = 60s, .wait = 75s});
  const auto start = clock_.now();
  ASSERT_TRUE(rows()->try_lock_secret("mcp-oauth/x", "a process that died", epoch_ms(start), epoch_ms(start + 60s)));
  const auto stored = secrets->update("mcp-oauth/x", [](const std::optional<std::string>& current) {
    EXPECT_EQ(current, std::nullopt);
    return std::optional<std::string>("fresh");
  });
  EXPECT_EQ(stored, "fresh");
  EXPECT_GE(clock_.since(start), 60s);
  EXPECT_LT(clock_.since(start), 62s);

  // A lock held longer than the wait: the update gives up, names the secret, changes nothing.
  const auto now = clock_.now();
  ASSERT_TRUE(rows()->try_lock_secret("mcp-oauth/x", "a slow process", epoch_ms(now), epoch_ms(now + 10min)));
  bool changed = false;
  const Error error = error_of([&] {
    store(box_, {.lock_ttl = 60s, .wait = 5s})->update("mcp-oauth/x", [&](const std::optional<std::string>&) {
      changed = true;
      return std::optional<std::string>("lost");
    });
  });
  EXPECT_EQ(error.code(), ErrorCode::kTimeout);
  EXPECT_THAT(error.what(), HasSubstr("'mcp-oauth/x'"));
  EXPECT_FALSE(changed);
  EXPECT_EQ(secrets->get("mcp-oauth/x"), "fresh");
}

TEST_P(SecretStoreTest, AChangeThatOutlastsItsLockIsRefusedNotWrittenOverTheNextHolders) {
  auto secrets = store(box_, {.lock_ttl = 60s, .wait = 75s});
  secrets->put("mcp-oauth/x", "v0");
  const Error error = error_of([&] {
    secrets->update("mcp-oauth/x", [&](const std::optional<std::string>&) {
      // The change takes longer than the lock lasts; another process takes the lock and writes.
      clock_.advance(61s);
      const auto now = clock_.now();
      EXPECT_TRUE(rows()->try_lock_secret("mcp-oauth/x", "the next holder", epoch_ms(now), epoch_ms(now + 60s)));
      store(box_)->put("mcp-oauth/x", "the next holder's");
      return std::optional<std::string>("late");
    });
  });
  EXPECT_EQ(error.code(), ErrorCode::kConflict);
  EXPECT_EQ(secrets->get("mcp-oauth/x"), "the next holder's");
}

TEST_P(SecretStoreTest, AChangeThatThrowsGivesTheLockBack) {
  auto secrets = store(box_);
  EXPECT_THROW(secrets->update("mcp-oauth/x",
                               [](const std::optional<std::string>&) -> std::optional<std::string> {
                                 throw Error(ErrorCode::kUnavailable, "the token endpoint is down");
                               }),
               Error);
  EXPECT_EQ(secrets->update("mcp-oauth/x", [](const std::optional<std::string>&) { return std::optional<std::string>("ok"); }),
            "ok");
  EXPECT_EQ(clock_.pauses(), 0);  // no wait: the lock was free
  // A change that keeps the value writes nothing.
  EXPECT_EQ(secrets->update("mcp-oauth/x", [](const std::optional<std::string>&) { return std::nullopt; }), "ok");
}

// The manager's own store: the key of the installation (AURITE_SECRET_KEY here, so no
// key file is made in the home folder of whoever runs the tests).
TEST_P(SecretStoreTest, TheManagersStoreSealsWithTheInstallationKey) {
  ScopedEnv env;
  env.set("AURITE_SECRET_KEY", std::string(64, 'c'));
  const auto secrets = db_->secrets();
  secrets->put("mcp-oauth/x", "value");
  EXPECT_EQ(db_->secrets()->get("mcp-oauth/x"), "value");
  EXPECT_THAT(secrets->location(), HasSubstr("the database"));
  EXPECT_THAT(*rows()->sealed_secret("mcp-oauth/x"), StartsWith("a1." + secrets::default_secret_box()->key_id()));
}

// Machines that share a server need one key: a key that is this machine's own file is
// warned about there (once), and not for a SQLite file, which only this machine opens.
TEST_P(SecretStoreTest, AMachinesOwnKeyFileIsWarnedAboutOnASharedServerOnly) {
  ScopedEnv env;
  env.unset("AURITE_SECRET_KEY").unset("AURITE_SECRET_KEY_FILE").set("XDG_CONFIG_HOME", (dir_ / "config").string());
  const auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  db_->secrets()->put("mcp-oauth/x", "value");
  db_->secrets()->put("mcp-oauth/y", "value");
  spdlog::set_default_logger(previous);
  std::string logged;
  for (const auto& line : sink->last_formatted()) logged += line;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "config" / "aurite" / "secret.key"));
  if (is_postgres()) {
    EXPECT_THAT(logged, HasSubstr("other machines cannot open them unless AURITE_SECRET_KEY"));
    EXPECT_EQ(logged.find("other machines"), logged.rfind("other machines"));  // once
  } else {
    EXPECT_THAT(logged, Not(HasSubstr("other machines")));
  }
}

// A database of the previous version: migration 5 adds the tables and keeps the rest.
TEST_P(SecretStoreTest, MigrationFiveAddsTheTablesToADatabaseOfVersionFour) {
  db_->history()->append_turn("agent", "s", "user", R"([{"type": "text", "text": "kept"}])");
  db_.reset();
  exec_sql("DROP TABLE tool_calls");
  exec_sql("DROP TABLE model_calls");
  exec_sql("DROP TABLE run_events");
  exec_sql("DROP TABLE runs");
  exec_sql("DROP TABLE approvals");
  exec_sql("DROP TABLE paused_runs");
  exec_sql("DROP TABLE secrets");
  exec_sql("DROP TABLE secret_locks");
  exec_sql("DELETE FROM schema_migrations WHERE version >= 5");
  auto db = open();
  const auto status = db->status();
  EXPECT_EQ(status.schema_version, 8);
  EXPECT_EQ(status.row_counts.at("secrets"), 0);
  EXPECT_EQ(status.row_counts.at("agent_history"), 1);
  store(box_)->put("mcp-oauth/x", "value");
  EXPECT_EQ(store(box_)->get("mcp-oauth/x"), "value");
}

}  // namespace
}  // namespace aurite::testing
