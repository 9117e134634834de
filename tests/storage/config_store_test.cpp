// The database config store on both backends: upsert by hash, one-transaction sync with
// a failure injected in the middle, lossless load, delete, and the HostManager's
// registration rolled back by a write the database refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "aurite/common/error.hpp"
#include "aurite/host/host_manager.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/config_test_project.hpp"

namespace aurite::testing {
namespace {

using config::ComponentKind;
using storage::StoredConfigInfo;
using storage::SyncCounts;
using ::testing::HasSubstr;

class ConfigStoreTest : public BackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ConfigStoreTest);

const StoredConfigInfo& info_of(const std::vector<StoredConfigInfo>& infos, const std::string& name) {
  for (const auto& info : infos) {
    if (info.name == name) return info;
  }
  throw std::runtime_error("no stored config named " + name);
}

TEST_P(ConfigStoreTest, SyncInsertsEveryComponentThenAnUnchangedResyncWritesNothing) {
  auto db = open();
  auto& store = *db->configs();
  EXPECT_EQ(store.sync_configs(test_project(), false), (SyncCounts{7, 0, 0, 0}));
  const auto before = store.list_configs();
  ASSERT_EQ(before.size(), 7u);

  next_millisecond();
  EXPECT_EQ(store.sync_configs(test_project(), false), (SyncCounts{0, 0, 7, 0}));
  EXPECT_EQ(store.list_configs(), before);  // no last_updated moved
}

TEST_P(ConfigStoreTest, ChangedConfigUpdatesLastUpdatedAndKeepsCreatedAt) {
  auto db = open();
  auto& store = *db->configs();
  auto project = test_project();
  store.sync_configs(project, false);
  const auto before = info_of(store.list_configs(), "Inline");

  next_millisecond();
  project.agents[1].temperature = 0.2;
  EXPECT_EQ(store.sync_configs(project, false), (SyncCounts{0, 1, 6, 0}));
  const auto after = info_of(store.list_configs(), "Inline");
  EXPECT_EQ(after.created_at, before.created_at);
  EXPECT_GT(after.last_updated, before.last_updated);
  EXPECT_NE(after.config_hash, before.config_hash);
  EXPECT_EQ(info_of(store.list_configs(), "Weather Agent").last_updated,
            info_of(store.list_configs(), "Weather Agent").created_at);
}

TEST_P(ConfigStoreTest, SaveOfAnEqualConfigKeepsLastUpdated) {
  auto db = open();
  auto& store = *db->configs();
  const auto project = test_project();
  store.save_agent(project.agents[0]);
  const auto before = info_of(store.list_configs(), "Weather Agent");
  next_millisecond();
  store.save_agent(project.agents[0]);
  EXPECT_EQ(info_of(store.list_configs(), "Weather Agent"), before);
}

TEST_P(ConfigStoreTest, LoadRoundTripsEveryKindLosslessly) {
  auto db = open();
  db->configs()->sync_configs(test_project(), false);
  const auto loaded = db->configs()->load_configs();
  EXPECT_EQ(components_of(loaded), components_of(test_project()));
  EXPECT_EQ(loaded.clients[1].extra.at("future_field"), config::Json::parse(R"({"kept": [1, 2]})"));
  EXPECT_EQ(loaded.agents[1].extra.at("x_note"), "unknown keys survive");
}

TEST_P(ConfigStoreTest, FailureInTheMiddleOfASyncLeavesTheDatabaseAsItWas) {
  auto db = open();
  auto& store = *db->configs();
  auto first = test_project();
  store.sync_configs(first, false);
  const auto before_infos = store.list_configs();
  const auto before = store.load_configs();

  // Clients, llms and agents are written before workflows; the refused workflow comes
  // after changed and new rows of those tables.
  fail_writes_of("workflow_configs", "doomed");
  auto second = first;
  second.clients[0].timeout = 99.0;
  second.agents.push_back(second.agents[1]);
  second.agents.back().name = "Newcomer";
  second.workflows.push_back({"doomed", {"Inline"}, std::nullopt, std::nullopt, config::Json::object()});
  try {
    store.sync_configs(second, true);
    FAIL() << "the sync should have failed";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("injected failure writing doomed"));
  }
  EXPECT_EQ(store.load_configs(), before);
  EXPECT_EQ(store.list_configs(), before_infos);
}

TEST_P(ConfigStoreTest, PruneDeletesWhatTheProjectNoLongerHolds) {
  auto db = open();
  auto& store = *db->configs();
  auto project = test_project();
  store.sync_configs(project, false);
  project.custom_workflows.clear();
  project.agents.pop_back();
  EXPECT_EQ(store.sync_configs(project, false), (SyncCounts{0, 0, 5, 0}));  // no prune: kept
  EXPECT_EQ(store.sync_configs(project, true), (SyncCounts{0, 0, 5, 2}));
  EXPECT_EQ(components_of(store.load_configs()), components_of(project));
}

TEST_P(ConfigStoreTest, DeleteConfigRemovesOneComponent) {
  auto db = open();
  auto& store = *db->configs();
  store.sync_configs(test_project(), false);
  EXPECT_TRUE(store.delete_config(ComponentKind::kWorkflow, "flow"));
  EXPECT_FALSE(store.delete_config(ComponentKind::kWorkflow, "flow"));
  EXPECT_FALSE(store.delete_config(ComponentKind::kAgent, "flow"));
  EXPECT_TRUE(store.load_configs().workflows.empty());
  EXPECT_EQ(store.load_configs().agents.size(), 2u);
}

TEST_P(ConfigStoreTest, ConfigsAreNullWhenConfigStorageIsOff) {
  auto settings = this->settings();
  settings.store_configs = false;
  auto db = storage::StorageManager::open(settings);
  EXPECT_EQ(db->configs(), nullptr);
  EXPECT_EQ(db->shared_configs(), nullptr);
}

TEST_P(ConfigStoreTest, RegistrationFailsAndMemoryIsUnchangedWhenTheDatabaseRefusesTheWrite) {
  auto db = open();
  host::HostManager host(test_project());
  host.attach_config_store(db->shared_configs());
  fail_writes_of("agent_configs", "Doomed");

  auto doomed = test_project().agents[1];
  doomed.name = "Doomed";
  EXPECT_THROW(host.register_agent(doomed), Error);
  EXPECT_FALSE(host.find_agent("Doomed").has_value());
  EXPECT_TRUE(db->configs()->load_configs().agents.empty());

  auto fine = doomed;
  fine.name = "Fine";
  EXPECT_EQ(host.register_agent(fine), host::Registration::kCreated);
  EXPECT_TRUE(host.find_agent("Fine").has_value());
  ASSERT_EQ(db->configs()->load_configs().agents.size(), 1u);
  EXPECT_EQ(db->configs()->load_configs().agents[0], fine);
}

TEST_P(ConfigStoreTest, ConcurrentSyncsOfTheSameProjectInsertEachRowOnce) {
  auto db = open();
  std::vector<SyncCounts> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = db->configs()->sync_configs(test_project(), false); });
  }
  for (auto& t : threads) t.join();
  std::int64_t inserted = 0;
  for (const auto& r : results) inserted += r.inserted;
  EXPECT_EQ(inserted, 7);
  EXPECT_EQ(db->configs()->list_configs().size(), 7u);
}

}  // namespace
}  // namespace aurite::testing
