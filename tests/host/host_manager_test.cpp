#include "aurite/host/host_manager.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <thread>

#include "aurite/common/error.hpp"
#include "support/temp_dir.hpp"

namespace aurite::host {
namespace {

using config::AgentConfig;
using config::ClientConfig;
using config::GraphWorkflowConfig;
using config::LlmConfig;
using config::WorkflowConfig;

constexpr const char* kProject = R"({
  "clients": [{"client_id": "weather_server", "command": "weather"}],
  "llms": [{"llm_id": "offline", "provider": "test"}],
  "agents": [{"name": "Weather Agent", "client_ids": ["weather_server"], "llm_config_id": "offline"}],
  "workflows": [{"name": "flow", "steps": ["Weather Agent"]}]
})";

std::unique_ptr<HostManager> load(const testing::TempDir& dir) {
  return HostManager::from_file(dir.write("aurite_config.json", kProject));
}

AgentConfig agent(const std::string& name, std::vector<std::string> clients = {}) {
  AgentConfig a;
  a.name = name;
  a.client_ids = std::move(clients);
  return a;
}

// Records what the host writes through the persistence seam and can refuse writes; the
// database-backed store has its own tests in tests/storage.
class RecordingStore : public storage::ConfigStore {
 public:
  bool fail = false;
  std::vector<std::string> saved;

  void save_client(const ClientConfig& c) override { record("client:" + c.client_id); }
  void save_llm(const config::LlmConfig& c) override { record("llm:" + c.llm_id); }
  void save_agent(const AgentConfig& c) override { record("agent:" + c.name); }
  void save_workflow(const config::WorkflowConfig& c) override { record("workflow:" + c.name); }
  void save_custom_workflow(const config::CustomWorkflowConfig& c) override { record("custom:" + c.name); }
  void save_graph_workflow(const config::GraphWorkflowConfig& c) override { record("graph:" + c.name); }
  bool delete_config(config::ComponentKind kind, const std::string& name) override {
    record("delete " + std::string(config::kind_name(kind)) + ":" + name);
    return true;
  }

 private:
  void record(const std::string& what) {
    if (fail) throw Error(ErrorCode::kUnavailable, "store is down");
    saved.push_back(what);
  }
};

TEST(ResolveConfigPath, FlagThenEnvironmentThenDefault) {
  ::setenv("PROJECT_CONFIG_PATH", "/from/env.json", 1);
  EXPECT_EQ(resolve_config_path(std::filesystem::path("/from/flag.json")), "/from/flag.json");
  EXPECT_EQ(resolve_config_path(std::nullopt), "/from/env.json");
  ::unsetenv("PROJECT_CONFIG_PATH");
  EXPECT_EQ(resolve_config_path(std::nullopt), "aurite_config.json");
}

TEST(HostManager, LoadsEveryRegistryFromTheFile) {
  testing::TempDir dir;
  const auto host = load(dir);
  EXPECT_TRUE(host->find_client("weather_server"));
  EXPECT_TRUE(host->find_llm("offline"));
  EXPECT_TRUE(host->find_agent("Weather Agent"));
  EXPECT_TRUE(host->find_workflow("flow"));
  EXPECT_FALSE(host->find_agent("flow"));
  EXPECT_FALSE(host->find_custom_workflow("Weather Agent"));
}

TEST(HostManager, BadFileBuildsNothing) {
  testing::TempDir dir;
  const auto file = dir.write("bad.json", R"({"agents": [{"name": "a", "client_ids": ["missing"]}]})");
  EXPECT_THROW(HostManager::from_file(file), ConfigError);
}

TEST(Registration, NewNameIsCreatedExistingNameIsUpdated) {
  testing::TempDir dir;
  const auto host = load(dir);
  EXPECT_EQ(host->register_agent(agent("Helper")), Registration::kCreated);
  auto changed = agent("Weather Agent", {"weather_server"});
  changed.system_prompt = "new prompt";
  EXPECT_EQ(host->register_agent(changed), Registration::kUpdated);
  EXPECT_EQ(host->find_agent("Weather Agent")->system_prompt, "new prompt");
  EXPECT_EQ(host->snapshot().agents.size(), 2u);
}

TEST(Registration, InvalidComponentIsRejectedAndNothingChanges) {
  testing::TempDir dir;
  const auto host = load(dir);
  const auto before = host->snapshot();
  try {
    host->register_agent(agent("Helper", {"wether_server"}));
    FAIL();
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u);
    EXPECT_EQ(error.diagnostics()[0].path, "agents[1].client_ids[0]");
    EXPECT_NE(error.diagnostics()[0].message.find("did you mean 'weather_server'"), std::string::npos);
  }
  EXPECT_THROW(host->register_workflow({"flow", {"nobody"}, std::nullopt, {}}), ConfigError);
  EXPECT_THROW(host->register_agent(agent("flow")), ConfigError);  // a workflow has that name
  EXPECT_EQ(host->snapshot(), before);
}

TEST(Registration, EveryKindGoesThroughTheStoreBeforeMemory) {
  testing::TempDir dir;
  const auto host = load(dir);
  auto store = std::make_shared<RecordingStore>();
  host->attach_config_store(store);
  ClientConfig client;
  client.client_id = "planning_server";
  client.command = "planning";
  host->register_client(client);
  LlmConfig llm;
  llm.llm_id = "claude";
  llm.provider = "anthropic";
  llm.model = "claude-sonnet-4-5";
  host->register_llm(llm);
  host->register_agent(agent("Planner", {"planning_server"}));
  WorkflowConfig workflow;
  workflow.name = "plan";
  workflow.steps = {"Planner"};
  host->register_workflow(workflow);
  host->register_custom_workflow({"custom", "x.so", "K", std::nullopt, {}});
  GraphWorkflowConfig graph;
  graph.name = "graph";
  graph.nodes.push_back({"n", "Planner", "agent", {}});
  host->register_graph_workflow(graph);
  EXPECT_EQ(store->saved, (std::vector<std::string>{"client:planning_server", "llm:claude", "agent:Planner",
                                                    "workflow:plan", "custom:custom", "graph:graph"}));
}

TEST(Registration, FailedWriteLeavesMemoryUnchanged) {
  testing::TempDir dir;
  const auto host = load(dir);
  auto store = std::make_shared<RecordingStore>();
  store->fail = true;
  host->attach_config_store(store);
  const auto before = host->snapshot();
  EXPECT_THROW(host->register_agent(agent("Helper")), Error);
  auto changed = agent("Weather Agent");
  EXPECT_THROW(host->register_agent(changed), Error);
  EXPECT_EQ(host->snapshot(), before);
  EXPECT_FALSE(host->find_agent("Helper"));
}

TEST(Registration, InvalidComponentNeverReachesTheStore) {
  testing::TempDir dir;
  const auto host = load(dir);
  auto store = std::make_shared<RecordingStore>();
  host->attach_config_store(store);
  EXPECT_THROW(host->register_agent(agent("Helper", {"nope"})), ConfigError);
  EXPECT_TRUE(store->saved.empty());
}

TEST(Registration, ConcurrentReadersAlwaysSeeAConsistentRegistry) {
  testing::TempDir dir;
  const auto host = load(dir);
  std::atomic<bool> done{false};
  std::atomic<int> inconsistent{0};
  std::thread reader([&] {
    while (!done) {
      const auto project = host->snapshot();
      // Every agent registered below references a client registered just before it.
      for (const auto& a : project.agents) {
        for (const auto& id : a.client_ids) {
          const bool known = std::any_of(project.clients.begin(), project.clients.end(),
                                         [&](const ClientConfig& c) { return c.client_id == id; });
          if (!known) ++inconsistent;
        }
      }
    }
  });
  for (int i = 0; i < 200; ++i) {
    ClientConfig client;
    client.client_id = "client" + std::to_string(i);
    client.command = "x";
    host->register_client(client);
    host->register_agent(agent("agent" + std::to_string(i), {client.client_id}));
  }
  done = true;
  reader.join();
  EXPECT_EQ(inconsistent, 0);
  EXPECT_EQ(host->snapshot().agents.size(), 201u);
}

}  // namespace
}  // namespace aurite::host

namespace aurite::host {
namespace {

TEST(Removal, GoesThroughTheStoreBeforeMemoryAndNotWhenRefused) {
  testing::TempDir dir;
  const auto host = HostManager::from_file(dir.write("aurite_config.json", R"({
    "clients": [{"client_id": "weather_server", "command": "weather"}],
    "agents": [{"name": "Weather Agent", "client_ids": ["weather_server"]}, {"name": "Spare"}]})"));
  auto store = std::make_shared<RecordingStore>();
  host->attach_config_store(store);
  host->remove(config::ComponentKind::kAgent, "Spare");
  EXPECT_EQ(store->saved, (std::vector<std::string>{"delete agent:Spare"}));
  EXPECT_THROW(host->remove(config::ComponentKind::kClient, "weather_server"), Error);  // still referenced
  store->fail = true;
  EXPECT_THROW(host->remove(config::ComponentKind::kAgent, "Weather Agent"), Error);
  EXPECT_TRUE(host->find_agent("Weather Agent"));
  EXPECT_EQ(store->saved.size(), 1u);
}

}  // namespace
}  // namespace aurite::host
