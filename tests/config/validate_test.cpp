// Rules a parsed project must satisfy, checked directly on models.
#include "aurite/config/validate.hpp"

#include <gtest/gtest.h>

namespace aurite::config {
namespace {

ProjectConfig small_project() {
  ProjectConfig project;
  ClientConfig client;
  client.client_id = "weather_server";
  client.command = "weather";
  project.clients.push_back(client);
  LlmConfig llm;
  llm.llm_id = "offline";
  llm.provider = "test";
  project.llms.push_back(llm);
  AgentConfig agent;
  agent.name = "Weather Agent";
  agent.client_ids = {"weather_server"};
  agent.llm_config_id = "offline";
  project.agents.push_back(agent);
  return project;
}

TEST(ValidateProject, ValidProjectHasNoDiagnostics) { EXPECT_TRUE(validate_project(small_project()).empty()); }

TEST(ValidateProject, TestProviderNeedsNoModelButOthersDo) {
  auto project = small_project();
  project.llms[0].provider = "anthropic";
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], (Diagnostic{"llms[0].model", "required for provider 'anthropic'"}));
}

TEST(ValidateProject, CustomWorkflowNameClashesWithAgent) {
  auto project = small_project();
  project.custom_workflows.push_back({"Weather Agent", "x.so", "K", std::nullopt, Json::object()});
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "custom_workflows[0].name");
}

TEST(ValidateProject, ClientsAndLlmsHaveTheirOwnNamespaces) {
  auto project = small_project();
  project.llms[0].llm_id = "weather_server";
  project.agents[0].llm_config_id = "weather_server";
  EXPECT_TRUE(validate_project(project).empty());
}

}  // namespace
}  // namespace aurite::config
