// HostManager::remove: a component goes only when nothing refers to it.
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/host/host_manager.hpp"
#include "support/temp_dir.hpp"

namespace aurite::host {
namespace {

using config::ComponentKind;

constexpr const char* kRemovalProject = R"({
  "clients": [{"client_id": "weather_server", "command": "weather"}, {"client_id": "spare", "command": "x"}],
  "llms": [{"llm_id": "offline", "provider": "test"}],
  "agents": [{"name": "Weather Agent", "client_ids": ["weather_server"], "llm_config_id": "offline"}],
  "workflows": [{"name": "flow", "steps": ["Weather Agent"]}]
})";

ErrorCode code_of(const std::function<void()>& body, std::string* message = nullptr) {
  try {
    body();
  } catch (const Error& error) {
    if (message != nullptr) *message = error.what();
    return error.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::kInternal;
}

TEST(HostManagerRemove, RemovesAnUnreferencedComponent) {
  testing::TempDir dir;
  auto host = HostManager::from_file(dir.write("aurite_config.json", kRemovalProject));
  host->remove(ComponentKind::kClient, "spare");
  EXPECT_FALSE(host->find_client("spare"));
  host->remove(ComponentKind::kWorkflow, "flow");
  host->remove(ComponentKind::kAgent, "Weather Agent");  // no step names it any more
  EXPECT_FALSE(host->find_agent("Weather Agent"));
}

TEST(HostManagerRemove, RefusesWhileReferencedNamingTheReferrer) {
  testing::TempDir dir;
  auto host = HostManager::from_file(dir.write("aurite_config.json", kRemovalProject));
  std::string message;
  EXPECT_EQ(code_of([&] { host->remove(ComponentKind::kClient, "weather_server"); }, &message), ErrorCode::kConflict);
  EXPECT_NE(message.find("agent 'Weather Agent' (agents[0].client_ids[0])"), std::string::npos) << message;
  EXPECT_EQ(code_of([&] { host->remove(ComponentKind::kLlm, "offline"); }), ErrorCode::kConflict);
  EXPECT_EQ(code_of([&] { host->remove(ComponentKind::kAgent, "Weather Agent"); }, &message), ErrorCode::kConflict);
  EXPECT_NE(message.find("workflow 'flow'"), std::string::npos) << message;
  EXPECT_TRUE(host->find_client("weather_server"));
  EXPECT_EQ(code_of([&] { host->remove(ComponentKind::kLlm, "nothing"); }), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace aurite::host
