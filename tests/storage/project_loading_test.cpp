// Where the project comes from (--config-source / AURITE_CONFIG_SOURCE): the file synced to
// the database, the database alone, or the file merged with what only the database has.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/host/project_loading.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/config_test_project.hpp"
#include "storage/scoped_env.hpp"

namespace aurite::testing {
namespace {

using host::ConfigSource;
using ::testing::HasSubstr;

class ProjectLoadingTest : public BackendTest {
 protected:
  std::filesystem::path write_project() const { return dir_.write("aurite_config.json", kConfigProject); }
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ProjectLoadingTest);

TEST_P(ProjectLoadingTest, FileSourceLoadsTheFileAndSyncsIt) {
  auto db = open();
  const auto project = host::load_project(write_project(), ConfigSource::kFile, db.get());
  EXPECT_EQ(components_of(project), components_of(test_project()));
  EXPECT_EQ(components_of(db->configs()->load_configs()), components_of(test_project()));
  const auto infos = db->configs()->list_configs();
  host::load_project(write_project(), ConfigSource::kFile, db.get());
  EXPECT_EQ(db->configs()->list_configs(), infos);  // unchanged: nothing written
}

TEST_P(ProjectLoadingTest, FileSourceWithABadFileChangesNothing) {
  auto db = open();
  const auto bad = dir_.write("bad.json", R"({"agents": [{"name": "x", "client_ids": ["missing"]}]})");
  EXPECT_THROW(host::load_project(bad, ConfigSource::kFile, db.get()), ConfigError);
  EXPECT_TRUE(db->configs()->list_configs().empty());
}

TEST_P(ProjectLoadingTest, DbSourceNeedsNoFile) {
  auto db = open();
  db->configs()->sync_configs(test_project(), false);
  const auto project = host::load_project(dir_ / "no_such_file.json", ConfigSource::kDb, db.get());
  EXPECT_EQ(components_of(project), components_of(test_project()));
}

TEST_P(ProjectLoadingTest, DbSourceValidatesWhatTheDatabaseHolds) {
  auto db = open();
  auto project = test_project();
  project.clients.clear();  // agents now refer to a client that is not there
  db->configs()->sync_configs(project, false);
  try {
    host::load_project({}, ConfigSource::kDb, db.get());
    FAIL() << "an invalid stored project should be refused";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.source(), HasSubstr(is_postgres() ? "postgresql://" : "sqlite://"));
    EXPECT_FALSE(e.diagnostics().empty());
  }
}

TEST_P(ProjectLoadingTest, MergeAddsWhatOnlyTheDatabaseHasAndTheFileWins) {
  auto db = open();
  auto stored = test_project();
  stored.agents[1].system_prompt = "the database's version";
  auto extra = stored.agents[1];
  extra.name = "Registered At Run Time";
  stored.agents.push_back(extra);
  db->configs()->sync_configs(stored, false);

  const auto project = host::load_project(write_project(), ConfigSource::kMerge, db.get());
  ASSERT_EQ(project.agents.size(), 3u);
  EXPECT_EQ(project.agents[1], test_project().agents[1]);  // the file's Inline wins
  EXPECT_EQ(project.agents[2].name, "Registered At Run Time");
  // The file's components were synced; the database-only one stays.
  const auto now_stored = components_of(db->configs()->load_configs());
  EXPECT_EQ(now_stored.agents.size(), 3u);
  EXPECT_EQ(now_stored.agents[0].system_prompt, test_project().agents[1].system_prompt);
}

TEST_P(ProjectLoadingTest, DbAndMergeWithoutADatabaseSayHowToEnableIt) {
  try {
    host::load_project(write_project(), ConfigSource::kDb, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("AURITE_ENABLE_DB"));
  }
  auto settings = this->settings();
  settings.store_configs = false;
  auto db = storage::StorageManager::open(settings);
  try {
    host::load_project(write_project(), ConfigSource::kMerge, db.get());
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("AURITE_DB_STORE_CONFIGS"));
  }
  // The file source simply skips the sync.
  EXPECT_EQ(host::load_project(write_project(), ConfigSource::kFile, db.get()).agents.size(), 2u);
}

TEST(ConfigSource, ParsesFlagThenEnvironment) {
  ScopedEnv env;
  env.unset("AURITE_CONFIG_SOURCE");
  EXPECT_EQ(host::resolve_config_source(std::nullopt), ConfigSource::kFile);
  env.set("AURITE_CONFIG_SOURCE", "DB");
  EXPECT_EQ(host::resolve_config_source(std::nullopt), ConfigSource::kDb);
  EXPECT_EQ(host::resolve_config_source(std::string("merge")), ConfigSource::kMerge);
  env.set("AURITE_CONFIG_SOURCE", "database");
  try {
    host::resolve_config_source(std::nullopt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("AURITE_CONFIG_SOURCE"));
    EXPECT_THAT(e.what(), HasSubstr("'database'"));
  }
  EXPECT_THROW(host::parse_config_source("files"), Error);
}

}  // namespace
}  // namespace aurite::testing
