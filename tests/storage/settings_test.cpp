// StorageSettings from the environment: defaults, overrides, errors naming the variable,
// and the masked location.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "aurite/common/error.hpp"
#include "aurite/storage/settings.hpp"
#include "aurite/storage/storage_manager.hpp"
#include "storage/db_type_printer.hpp"
#include "storage/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace aurite::testing {
namespace {

using storage::DbType;
using storage::load_storage_settings;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The error load_storage_settings() throws, or a test failure when it throws none.
Error settings_error() {
  try {
    load_storage_settings();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "load_storage_settings() accepted the environment";
  return Error(ErrorCode::kInternal, "");
}

TEST(StorageSettings, EmptyEnvironmentMeansNoDatabaseAndDocumentedDefaults) {
  ScopedEnv env;
  env.clear_storage();
  const auto s = load_storage_settings();
  EXPECT_FALSE(s.enabled);
  EXPECT_TRUE(s.store_configs);
  EXPECT_TRUE(s.store_history);
  EXPECT_FALSE(s.optional);
  EXPECT_EQ(s.type, DbType::kSqlite);
  EXPECT_EQ(s.sqlite_path, ".aurite/aurite.db");
  EXPECT_EQ(s.host, "localhost");
  EXPECT_EQ(s.port, 5432);
  EXPECT_FALSE(s.url.has_value());
}

TEST(StorageSettings, DisabledFlagCreatesNoDatabaseFile) {
  TempDir dir;
  ScopedEnv env;
  env.clear_storage().set("AURITE_DB_PATH", (dir / "state/aurite.db").string());
  EXPECT_EQ(storage::StorageManager::open_if_enabled(load_storage_settings()), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir / "state"));

  env.set("AURITE_ENABLE_DB", "false");
  EXPECT_EQ(storage::StorageManager::open_if_enabled(load_storage_settings()), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir / "state"));
}

TEST(StorageSettings, UncreatableSqliteFolderIsAnIoErrorNamingThePath) {
  TempDir dir;
  const auto blocker = dir.write("file", "not a folder");
  ScopedEnv env;
  env.clear_storage().set("AURITE_ENABLE_DB", "yes").set("AURITE_DB_PATH", (blocker / "sub/aurite.db").string());
  try {
    storage::StorageManager::open(load_storage_settings());
    FAIL() << "opened a database below a regular file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_THAT(e.what(), HasSubstr((blocker / "sub/aurite.db").string()));
  }
}

TEST(StorageSettings, NonBooleanFlagIsAnErrorNamingTheVariable) {
  for (const char* name : {"AURITE_ENABLE_DB", "AURITE_DB_STORE_CONFIGS", "AURITE_DB_STORE_HISTORY",
                           "AURITE_DB_OPTIONAL"}) {
    ScopedEnv env;
    env.clear_storage().set(name, "maybe");
    const Error e = settings_error();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_THAT(e.what(), AllOf(HasSubstr(name), HasSubstr("maybe")));
  }
}

TEST(StorageSettings, BadTypePortOrPoolSizeIsAnErrorNamingTheVariable) {
  const std::pair<const char*, const char*> cases[] = {
      {"AURITE_DB_TYPE", "mysql"},     {"AURITE_DB_PORT", "0"},       {"AURITE_DB_PORT", "65536"},
      {"AURITE_DB_PORT", "54x"},       {"AURITE_DB_POOL_SIZE", "0"},  {"AURITE_DB_POOL_SIZE", "many"},
  };
  for (const auto& [name, value] : cases) {
    ScopedEnv env;
    env.clear_storage().set(name, value);
    const Error e = settings_error();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << name << "=" << value;
    EXPECT_THAT(e.what(), AllOf(HasSubstr(name), HasSubstr(value)));
  }
}

TEST(StorageSettings, TypeAcceptsPostgresSpellings) {
  for (const char* value : {"postgresql", "postgres", "PostgreSQL"}) {
    ScopedEnv env;
    env.clear_storage().set("AURITE_DB_TYPE", value);
    EXPECT_EQ(load_storage_settings().type, DbType::kPostgres) << value;
  }
}

TEST(StorageSettings, UrlOverridesTypeAndPath) {
  ScopedEnv env;
  env.clear_storage().set("AURITE_DB_TYPE", "sqlite").set("AURITE_DB_URL", "postgresql://u:pw@db.example:6543/app");
  auto s = load_storage_settings();
  EXPECT_EQ(s.type, DbType::kPostgres);
  EXPECT_EQ(s.endpoint(), "db.example:6543");

  env.set("AURITE_DB_TYPE", "postgresql").set("AURITE_DB_URL", "sqlite:///var/lib/aurite/a.db");
  s = load_storage_settings();
  EXPECT_EQ(s.type, DbType::kSqlite);
  EXPECT_EQ(s.sqlite_path, "/var/lib/aurite/a.db");
}

TEST(StorageSettings, UnknownUrlSchemeIsAnErrorThatDoesNotEchoThePassword) {
  ScopedEnv env;
  env.clear_storage().set("AURITE_DB_URL", "mysql://root:hunter2@db/app");
  const Error e = settings_error();
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.what(), AllOf(HasSubstr("AURITE_DB_URL"), HasSubstr("mysql"), Not(HasSubstr("hunter2"))));
}

TEST(StorageSettings, MaskedLocationNeverShowsThePassword) {
  ScopedEnv env;
  env.clear_storage()
      .set("AURITE_DB_TYPE", "postgres")
      .set("AURITE_DB_HOST", "db.internal")
      .set("AURITE_DB_PORT", "6000")
      .set("AURITE_DB_USER", "app")
      .set("AURITE_DB_PASSWORD", "s3cret-Pa55")
      .set("AURITE_DB_NAME", "aurite");
  auto s = load_storage_settings();
  EXPECT_EQ(s.password, "s3cret-Pa55");
  EXPECT_EQ(s.masked(), "postgresql://app:***@db.internal:6000/aurite");
  EXPECT_EQ(s.endpoint(), "db.internal:6000");

  env.set("AURITE_DB_URL", "postgresql://app:s3cret-Pa55@h1:5433/db?sslmode=require&password=other-secret");
  s = load_storage_settings();
  EXPECT_EQ(s.masked(), "postgresql://app:***@h1:5433/db?sslmode=require&password=***");

  env.set("AURITE_DB_URL", "postgresql:///db?host=/run/pg&password=other-secret");
  s = load_storage_settings();
  EXPECT_THAT(s.masked(), Not(HasSubstr("other-secret")));
  EXPECT_EQ(s.endpoint(), "localhost:5432");
}

TEST(StorageSettings, ASqliteLocationPrintsAsAnAbsoluteUrlThatOpensTheSameFile) {
  ScopedEnv env;
  env.clear_storage().set("AURITE_ENABLE_DB", "true");
  auto relative = load_storage_settings();  // the default, .aurite/aurite.db
  const std::string expected = "sqlite://" + (std::filesystem::current_path() / ".aurite/aurite.db").string();
  EXPECT_EQ(relative.masked(), expected);
  env.set("AURITE_DB_URL", relative.masked());
  EXPECT_EQ(std::filesystem::path(load_storage_settings().sqlite_path), std::filesystem::current_path() / ".aurite/aurite.db");
  env.unset("AURITE_DB_URL").set("AURITE_DB_PATH", "/var/lib/aurite/a.db");
  EXPECT_EQ(load_storage_settings().masked(), "sqlite:///var/lib/aurite/a.db");
}

}  // namespace
}  // namespace aurite::testing
