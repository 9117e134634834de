// One test body, run on both backends: TEST_P(BackendTest, ...) with the instantiation
// AURITE_INSTANTIATE_ON_BOTH_BACKENDS(Suite). Each test gets an empty database of its
// own: a SQLite file in a temporary folder, or a new database on the shared PostgreSQL
// server of the test program.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "aurite/common/error.hpp"
#include "aurite/storage/storage_manager.hpp"
#include "storage/db_type_printer.hpp"
#include "support/temp_dir.hpp"

namespace aurite::testing {

class BackendTest : public ::testing::TestWithParam<storage::DbType> {
 protected:
  void SetUp() override;

  // The environment a process needs to reach this test's database.
  std::map<std::string, std::string> db_env() const;

  // Settings read from db_env() the way a process reads them.
  storage::StorageSettings settings() const;

  // Opens (and migrates) this test's database.
  std::unique_ptr<storage::StorageManager> open() const;

  bool is_postgres() const { return GetParam() == storage::DbType::kPostgres; }

  // Runs SQL straight on this test's database, outside our code (set-up such as a trigger
  // that makes writes fail). Fails the test when the database refuses it.
  void exec_sql(const std::string& sql) const;

  // Installs a trigger that makes every insert or update of `name` into `table` fail,
  // for real, inside the database. `table` is one of our config tables.
  void fail_writes_of(const std::string& table, const std::string& name) const;

  TempDir dir_;
  std::string url_;
  std::string database_;  // PostgreSQL only
};

// The code of the aurite::Error `call` throws (its message into `message` when given);
// fails the test when it throws none.
ErrorCode code_of(const std::function<void()>& call, std::string* message = nullptr);

// Waits (bounded, 1 s) until the wall clock has moved past the millisecond it is in, so
// the next write gets a later timestamp than the previous one (timestamps are kept to the
// millisecond).
void next_millisecond();

std::string backend_name(const ::testing::TestParamInfo<storage::DbType>& info);

// Opens (and migrates) the database at `url` as a process with only AURITE_ENABLE_DB and
// AURITE_DB_URL set would.
std::unique_ptr<storage::StorageManager> open_storage_at(const std::string& url);

#define AURITE_INSTANTIATE_ON_BOTH_BACKENDS(suite)                                              \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                      \
                           ::testing::Values(::aurite::storage::DbType::kSqlite,                 \
                                             ::aurite::storage::DbType::kPostgres),              \
                           ::aurite::testing::backend_name)

// The path of the helper program that appends turns (see append_helper.cpp).
inline constexpr const char* kAppendHelper = AURITE_STORAGE_APPEND_HELPER;

}  // namespace aurite::testing
