#include "storage/backend_fixture.hpp"

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

std::string backend_name(const ::testing::TestParamInfo<storage::DbType>& info) {
  return std::string(storage::to_string(info.param));
}

}  // namespace aurite::testing
