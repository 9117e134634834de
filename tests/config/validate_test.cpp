// Rules a parsed project must satisfy, checked directly on models.
#include "aurite/config/validate.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

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

TEST(ValidateProject, EveryMcpLogLevelAndAMaxTotalTimeoutFromTheTimeoutUpAreAccepted) {
  auto project = small_project();
  for (const auto level : kMcpLogLevels) {
    project.clients[0].log_level = std::string(level);
    EXPECT_TRUE(validate_project(project).empty()) << level;
  }
  project.clients[0].timeout = 2;
  project.clients[0].max_total_timeout = 2;
  EXPECT_TRUE(validate_project(project).empty());
  project.clients[0].max_total_timeout = 1.5;
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], (Diagnostic{"clients[0].max_total_timeout", "must not be less than the timeout (2 s), got 1.5"}));
}

TEST(ValidateProject, CustomWorkflowNameClashesWithAgent) {
  auto project = small_project();
  project.custom_workflows.push_back({"Weather Agent", "x.so", "K", std::nullopt, Json::object()});
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "custom_workflows[0].name");
}

TEST(ValidateProject, NamesAreBoundedWithoutControlCharactersOrSlashes) {
  auto project = small_project();
  project.agents[0].name = "'; DROP TABLE agent_history; -- Ünïcödé \"quoted\" ..";
  project.agents[0].client_ids = {"weather_server"};
  EXPECT_TRUE(validate_project(project).empty());

  const std::string huge(10 * 1024 * 1024, 'n');
  project.clients[0].client_id = std::string("tab\there");
  project.llms[0].llm_id = "../../etc/passwd";
  project.agents[0].name = huge;
  project.agents[0].client_ids = {huge};
  const auto problems = validate_project(project);
  std::map<std::string, std::string> by_path;
  for (const auto& problem : problems) by_path[problem.path] = problem.message;
  EXPECT_EQ(by_path["clients[0].client_id"], "holds the control character U+0009 at byte 3");
  EXPECT_EQ(by_path["llms[0].llm_id"], "holds '/' at byte 2; a name is one segment of an API path");
  EXPECT_EQ(by_path["agents[0].name"], "is 10485760 bytes long; names are at most 256 bytes");
  // The unknown reference is quoted shortened, not 10 MB long.
  EXPECT_LT(by_path["agents[0].client_ids[0]"].size(), 200u);
  EXPECT_NE(by_path["agents[0].client_ids[0]"].find("(10485760 bytes)"), std::string::npos) << by_path["agents[0].client_ids[0]"];
}

TEST(ValidateProject, ClientsAndLlmsHaveTheirOwnNamespaces) {
  auto project = small_project();
  project.llms[0].llm_id = "weather_server";
  project.agents[0].llm_config_id = "weather_server";
  EXPECT_TRUE(validate_project(project).empty());
}

}  // namespace
}  // namespace aurite::config
