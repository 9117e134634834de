// HostManager::reload_configs: two hosts on one SQLite file, as two processes would be.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "aurite/common/error.hpp"
#include "aurite/host/host_manager.hpp"
#include "support/temp_dir.hpp"

namespace aurite::host {
namespace {

using config::ComponentKind;

constexpr const char* kReloadProject = R"({
  "llms": [{"llm_id": "offline", "provider": "test"}],
  "agents": [{"name": "Helper", "llm_config_id": "offline"}]
})";

config::AgentConfig prompted_agent(const std::string& name, const std::string& prompt = "Be brief.") {
  config::AgentConfig a;
  a.name = name;
  a.llm_config_id = "offline";
  a.system_prompt = prompt;
  return a;
}

class ConfigReload : public ::testing::Test {
 protected:
  std::unique_ptr<HostManager> open(ConfigSource source, const std::string& project = kReloadProject) {
    HostOptions options;
    options.config_path = dir_.write("aurite_config.json", project);
    options.config_source = source;
    options.storage.enabled = true;
    options.storage.type = storage::DbType::kSqlite;
    options.storage.sqlite_path = (dir_ / "aurite.db").string();
    return HostManager::open(options);
  }

  testing::TempDir dir_;
};

TEST_F(ConfigReload, ARegistrationOnOneHostIsAddedReplacedAndRemovedOnTheOther) {
  auto a = open(ConfigSource::kFile);
  auto b = open(ConfigSource::kDb);
  EXPECT_TRUE(b->reload_configs().empty());

  a->register_agent(prompted_agent("Shared"));
  ConfigChanges changes = b->reload_configs();
  EXPECT_EQ(changes.added, std::vector<std::string>{"agent 'Shared'"});
  EXPECT_EQ(b->find_agent("Shared"), a->find_agent("Shared"));

  a->register_agent(prompted_agent("Shared", "Be thorough."));
  changes = b->reload_configs();
  EXPECT_EQ(changes.updated, std::vector<std::string>{"agent 'Shared'"});
  EXPECT_EQ(b->find_agent("Shared")->system_prompt, "Be thorough.");

  a->remove(ComponentKind::kAgent, "Shared");
  changes = b->reload_configs();
  EXPECT_EQ(changes.removed, std::vector<std::string>{"agent 'Shared'"});
  EXPECT_FALSE(b->find_agent("Shared"));
  EXPECT_TRUE(b->reload_configs().empty());
}

TEST_F(ConfigReload, AHostsOwnWritesReloadAsNoChange) {
  auto a = open(ConfigSource::kFile);
  config::ClientConfig client;
  client.client_id = "tools";
  client.command = "aurite-example-weather-server";
  client.args = {"--flag"};
  a->register_client(client);
  a->register_agent(prompted_agent("Mine"));
  const config::ProjectConfig before = a->snapshot();
  EXPECT_TRUE(a->reload_configs().empty());
  EXPECT_EQ(a->snapshot(), before);
}

TEST_F(ConfigReload, ComponentsStoredBeforeAFileHostStartedStayOutOfIt) {
  auto a = open(ConfigSource::kFile);
  a->register_agent(prompted_agent("Earlier"));
  auto file_host = open(ConfigSource::kFile);
  EXPECT_TRUE(file_host->reload_configs().empty());
  EXPECT_FALSE(file_host->find_agent("Earlier"));
  // A change made after it started does reach it.
  a->register_agent(prompted_agent("Later"));
  EXPECT_EQ(file_host->reload_configs().added, std::vector<std::string>{"agent 'Later'"});
}

TEST_F(ConfigReload, StoredChangesThatDoNotValidateAreRejectedAsAWhole) {
  auto a = open(ConfigSource::kFile);
  auto b = open(ConfigSource::kDb);
  // Written past the validation a host would do, as a racing writer could leave it.
  storage::DbConfigStore& store = *a->storage()->configs();
  config::LlmConfig second;
  second.llm_id = "second";
  second.provider = "test";
  store.save_llm(second);
  config::AgentConfig broken = prompted_agent("Broken");
  broken.llm_config_id = "missing";
  store.save_agent(broken);

  try {
    b->reload_configs();
    ADD_FAILURE() << "an agent naming a missing llm was applied";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("agent 'Broken'"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(b->find_llm("second")) << "half of the stored changes was applied";
  EXPECT_FALSE(b->find_agent("Broken"));
  EXPECT_TRUE(b->find_agent("Helper"));

  config::LlmConfig missing = second;
  missing.llm_id = "missing";
  store.save_llm(missing);
  const ConfigChanges changes = b->reload_configs();
  EXPECT_EQ(changes.added.size(), 3u);
  EXPECT_TRUE(b->find_agent("Broken"));
}

TEST_F(ConfigReload, ReloadedClientsReachTheMcpHost) {
  auto a = open(ConfigSource::kFile);
  auto b = open(ConfigSource::kDb);
  config::ClientConfig client;
  client.client_id = "late";
  client.command = "aurite-example-weather-server";
  a->register_client(client);
  EXPECT_EQ(a->mcp().client_ids(), std::vector<std::string>{"late"});
  b->reload_configs();
  EXPECT_EQ(b->mcp().client_ids(), std::vector<std::string>{"late"});
  a->remove(ComponentKind::kClient, "late");
  EXPECT_TRUE(a->mcp().client_ids().empty());
  b->reload_configs();
  EXPECT_TRUE(b->mcp().client_ids().empty());
}

TEST_F(ConfigReload, TheBackgroundReloadPicksUpAChangeMadeElsewhere) {
  auto a = open(ConfigSource::kFile);
  auto b = open(ConfigSource::kDb);
  b->start_config_reload(std::chrono::milliseconds(20));
  EXPECT_THROW(b->start_config_reload(std::chrono::milliseconds(20)), Error);
  a->register_agent(prompted_agent("Polled"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!b->find_agent("Polled") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(b->find_agent("Polled"));
}

TEST_F(ConfigReload, NothingToFollowWithoutStoredConfigs) {
  auto host = HostManager::from_file(dir_.write("aurite_config.json", kReloadProject));
  EXPECT_TRUE(host->reload_configs().empty());
  host->start_config_reload(std::chrono::milliseconds(10));  // no store: nothing starts
}

}  // namespace
}  // namespace aurite::host
