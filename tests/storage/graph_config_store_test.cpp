// Graph workflows in the database config store on both backends: stored, loaded, listed and
// deleted like the other kinds, changes found by hash, the table added by migration 4 to a
// database of version 3, and the HostManager writing them through, refusing to remove an
// agent a node runs, and reloading them from another process's writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "aurite/common/error.hpp"
#include "aurite/host/host_manager.hpp"
#include "aurite/host/project_loading.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/config_test_project.hpp"

namespace aurite::testing {
namespace {

using config::ComponentKind;
using storage::StoredConfigInfo;
using storage::SyncCounts;
using ::testing::HasSubstr;

class GraphConfigStoreTest : public BackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(GraphConfigStoreTest);

constexpr std::int64_t kSchemaVersion = 8;

std::vector<StoredConfigInfo> graphs_in(const std::vector<StoredConfigInfo>& infos) {
  std::vector<StoredConfigInfo> out;
  for (const auto& info : infos) {
    if (info.kind == ComponentKind::kGraphWorkflow) out.push_back(info);
  }
  return out;
}


TEST_P(GraphConfigStoreTest, AGraphWorkflowRoundTripsThroughSyncLoadListAndDelete) {
  auto db = open();
  auto& store = *db->configs();
  EXPECT_EQ(store.sync_configs(test_project_with_graph(), false), (SyncCounts{8, 0, 0, 0}));
  EXPECT_EQ(store.sync_configs(test_project_with_graph(), false), (SyncCounts{0, 0, 8, 0}));

  const auto loaded = store.load_configs();
  EXPECT_EQ(components_of(loaded), components_of(test_project_with_graph()));
  ASSERT_EQ(loaded.graph_workflows.size(), 1u);
  EXPECT_EQ(loaded.graph_workflows[0].extra.at("x_layout"), config::Json::parse(R"({"kept": true})"));
  EXPECT_EQ(loaded.graph_workflows[0].nodes[1].extra.at("x_pos"), 3);
  EXPECT_EQ(loaded.graph_workflows[0].edges[1].extra.at("x_label"), "second");

  const auto listed = store.list_configs();
  ASSERT_EQ(listed.size(), 8u);
  EXPECT_EQ(listed.back().kind, ComponentKind::kGraphWorkflow);  // in the order of kComponentKinds
  EXPECT_EQ(listed.back().name, "fan in");
  EXPECT_EQ(db->status().row_counts.at("graph_workflow_configs"), 1);

  EXPECT_FALSE(store.delete_config(ComponentKind::kWorkflow, "fan in"));  // another kind's table
  EXPECT_TRUE(store.delete_config(ComponentKind::kGraphWorkflow, "fan in"));
  EXPECT_FALSE(store.delete_config(ComponentKind::kGraphWorkflow, "fan in"));
  EXPECT_TRUE(store.load_configs().graph_workflows.empty());
  EXPECT_EQ(components_of(store.load_configs()), components_of(test_project()));
}

TEST_P(GraphConfigStoreTest, AChangedGraphIsFoundByItsHashAndOnlyItIsWritten) {
  auto db = open();
  auto& store = *db->configs();
  auto project = test_project_with_graph();
  store.sync_configs(project, false);
  const auto before = graphs_in(store.list_configs()).at(0);

  next_millisecond();
  project.graph_workflows[0].edges.pop_back();  // the same nodes, one edge fewer
  EXPECT_EQ(store.sync_configs(project, false), (SyncCounts{0, 1, 7, 0}));
  const auto after = graphs_in(store.list_configs()).at(0);
  EXPECT_NE(after.config_hash, before.config_hash);
  EXPECT_EQ(after.created_at, before.created_at);
  EXPECT_GT(after.last_updated, before.last_updated);
  EXPECT_EQ(store.load_configs().graph_workflows.at(0), project.graph_workflows[0]);

  next_millisecond();
  project.graph_workflows[0].nodes[1].extra["x_pos"] = 4;  // a key this version does not know counts too
  EXPECT_EQ(store.sync_configs(project, false), (SyncCounts{0, 1, 7, 0}));
  EXPECT_NE(graphs_in(store.list_configs()).at(0).config_hash, after.config_hash);
}

TEST_P(GraphConfigStoreTest, PruneDeletesAGraphWorkflowTheProjectNoLongerHolds) {
  auto db = open();
  auto& store = *db->configs();
  store.sync_configs(test_project_with_graph(), false);
  EXPECT_EQ(store.sync_configs(test_project(), true), (SyncCounts{0, 0, 7, 1}));
  EXPECT_TRUE(graphs_in(store.list_configs()).empty());
}

// A database of the previous version: everything migration 4 adds taken away again, and
// its row in schema_migrations with it.
TEST_P(GraphConfigStoreTest, MigrationFourAddsTheTableToADatabaseOfVersionThree) {
  {
    auto db = open();
    db->configs()->sync_configs(test_project(), false);
    db->history()->append_turn("agent", "s", "user", R"([{"type": "text", "text": "kept"}])");
  }
  exec_sql("DROP TABLE graph_workflow_configs");
  exec_sql("DELETE FROM schema_migrations WHERE version = 4");

  auto db = open();  // opening applies what is pending
  const auto status = db->status();
  EXPECT_EQ(status.schema_version, kSchemaVersion);
  EXPECT_EQ(status.row_counts.at("schema_migrations"), kSchemaVersion);
  EXPECT_EQ(status.row_counts.at("graph_workflow_configs"), 0);
  EXPECT_EQ(status.row_counts.at("agent_history"), 1);
  EXPECT_EQ(components_of(db->configs()->load_configs()), components_of(test_project()));
  EXPECT_EQ(db->configs()->sync_configs(test_project_with_graph(), false), (SyncCounts{1, 0, 7, 0}));
  EXPECT_EQ(db->configs()->load_configs().graph_workflows.at(0), test_graph_workflow());

  db->migrate();  // once applied, applied once
  EXPECT_EQ(db->status().row_counts.at("schema_migrations"), kSchemaVersion);
}

TEST_P(GraphConfigStoreTest, RegistrationWritesTheGraphThroughAndItsAgentsCannotBeRemoved) {
  auto db = open();
  host::HostManager host(test_project());
  host.attach_config_store(db->shared_configs());

  EXPECT_EQ(host.register_graph_workflow(test_graph_workflow()), host::Registration::kCreated);
  EXPECT_EQ(host.find_graph_workflow("fan in"), test_graph_workflow());
  ASSERT_EQ(db->configs()->load_configs().graph_workflows.size(), 1u);
  EXPECT_EQ(db->configs()->load_configs().graph_workflows[0], test_graph_workflow());
  EXPECT_NO_THROW(host.require_runnable("fan in"));

  auto changed = test_graph_workflow();
  changed.description = "changed";
  EXPECT_EQ(host.register_graph_workflow(changed), host::Registration::kUpdated);
  EXPECT_EQ(db->configs()->load_configs().graph_workflows.at(0).description, "changed");

  // A node naming an agent that is not there: refused, nothing written.
  auto dangling = test_graph_workflow();
  dangling.name = "dangling";
  dangling.nodes[0].name = "Nobody";
  EXPECT_EQ(code_of([&] { host.register_graph_workflow(dangling); }), ErrorCode::kInvalidConfig);
  EXPECT_FALSE(host.find_graph_workflow("dangling"));
  EXPECT_EQ(graphs_in(db->configs()->list_configs()).size(), 1u);

  std::string message;
  EXPECT_EQ(code_of([&] { host.remove(ComponentKind::kAgent, "Weather Agent"); }, &message),
            ErrorCode::kConflict);
  EXPECT_THAT(message, HasSubstr("graph workflow 'fan in'"));
  EXPECT_TRUE(host.find_agent("Weather Agent"));

  host.remove(ComponentKind::kGraphWorkflow, "fan in");
  EXPECT_FALSE(host.find_graph_workflow("fan in"));
  EXPECT_TRUE(db->configs()->load_configs().graph_workflows.empty());
  EXPECT_EQ(code_of([&] { host.remove(ComponentKind::kGraphWorkflow, "fan in"); }), ErrorCode::kNotFound);
}

TEST_P(GraphConfigStoreTest, AGraphWrittenByAnotherProcessIsReloadedAndItsRemovalToo) {
  auto db = open();
  auto writer_db = open();
  host::HostManager reader(test_project());
  db->configs()->sync_configs(test_project(), false);
  reader.follow_config_store(db->shared_configs(), db->configs()->list_configs());

  host::HostManager writer(test_project());
  writer.attach_config_store(writer_db->shared_configs());
  writer.register_graph_workflow(test_graph_workflow());
  const auto added = reader.reload_configs();
  EXPECT_EQ(added.added, std::vector<std::string>{"graph workflow 'fan in'"});
  EXPECT_EQ(reader.find_graph_workflow("fan in"), test_graph_workflow());

  writer.remove(ComponentKind::kGraphWorkflow, "fan in");
  const auto removed = reader.reload_configs();
  EXPECT_EQ(removed.removed, std::vector<std::string>{"graph workflow 'fan in'"});
  EXPECT_FALSE(reader.find_graph_workflow("fan in"));
}

TEST_P(GraphConfigStoreTest, MergeAddsAGraphWorkflowOnlyTheDatabaseHas) {
  auto db = open();
  db->configs()->sync_configs(test_project_with_graph(), false);
  const auto file = dir_.write("aurite_config.json", kConfigProject);
  const auto project = host::load_project(file, host::ConfigSource::kMerge, db.get());
  ASSERT_EQ(project.graph_workflows.size(), 1u);
  EXPECT_EQ(project.graph_workflows[0], test_graph_workflow());
  EXPECT_EQ(graphs_in(db->configs()->list_configs()).size(), 1u);  // the file's sync keeps it
}

}  // namespace
}  // namespace aurite::testing
