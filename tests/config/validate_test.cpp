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

TEST(ValidateProject, MaxResultCharsIsAtLeastOneOnClientsAndAgents) {
  auto project = small_project();
  project.clients[0].max_result_chars = 0;
  project.agents[0].max_result_chars = -5;
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], (Diagnostic{"clients[0].max_result_chars", "must be at least 1, got 0"}));
  EXPECT_EQ(problems[1], (Diagnostic{"agents[0].max_result_chars", "must be at least 1, got -5"}));
  project.clients[0].max_result_chars = 1;
  project.agents[0].max_result_chars = 100000;
  EXPECT_TRUE(validate_project(project).empty());
}

TEST(ValidateProject, PricesAreNotNegative) {
  auto project = small_project();
  project.llms[0].pricing = Pricing{-1.0, 2.0, std::nullopt, -0.5};
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], (Diagnostic{"llms[0].pricing.input_per_mtok", "must not be negative, got -1"}));
  EXPECT_EQ(problems[1], (Diagnostic{"llms[0].pricing.cache_write_per_mtok", "must not be negative, got -0.5"}));
  project.llms[0].pricing = Pricing{0.0, 0.0, 0.0, 0.0};
  EXPECT_TRUE(validate_project(project).empty());
}

TEST(ValidateProject, ToolPrefixesMustMakeNamesModelProvidersAccept) {
  auto project = small_project();
  project.clients[0].tool_prefix = "w ";
  project.agents[0].prefix_tool_names = true;
  project.clients.push_back(project.clients[0]);
  project.clients[1].client_id = "weather server";
  project.clients[1].tool_prefix = std::string(64, 'p');
  project.agents[0].client_ids.push_back("weather server");
  const auto problems = validate_project(project);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].path, "clients[0].tool_prefix");
  EXPECT_EQ(problems[0].message, "'w ' cannot start tool names: model providers accept letters, digits, '_' and '-', at most 64");
  EXPECT_EQ(problems[1].path, "clients[1].tool_prefix");
  EXPECT_EQ(problems[2].path, "agents[0].prefix_tool_names");
  EXPECT_EQ(problems[2].message,
            "client id 'weather server' cannot start tool names: model providers accept letters, digits, '_' and '-', at most 64");
  project.clients[0].tool_prefix = "w_";
  project.clients.pop_back();
  project.agents[0].client_ids.pop_back();
  EXPECT_TRUE(validate_project(project).empty());
}

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

namespace aurite::config {
namespace {

ProjectConfig with_auth(ClientAuthConfig auth, std::optional<std::string> url = "https://mcp.example/mcp") {
  ProjectConfig project = small_project();
  project.clients[0].command.reset();
  project.clients[0].url = std::move(url);
  project.clients[0].auth = std::move(auth);
  return project;
}

TEST(ValidateProject, OAuthNeedsOnlyItsType) {
  EXPECT_TRUE(validate_project(with_auth({})).empty());
  ClientAuthConfig service;
  service.grant = "client_credentials";
  service.client_id = "svc";
  service.private_key_file = "key.pem";
  service.scopes = {"mcp:read", "offline_access"};
  EXPECT_TRUE(validate_project(with_auth(service)).empty());
}

TEST(ValidateProject, EveryBadOAuthFieldIsNamed) {
  ClientAuthConfig auth;
  auth.type = "saml";
  auth.grant = "password";
  auth.client_secret_env = "not a name";
  auth.client_metadata_url = "http://insecure.example/doc.json";
  auth.redirect_port = 70000;
  auth.scopes = {"two words"};
  const std::map<std::string, std::string> problems = [&] {
    std::map<std::string, std::string> out;
    for (const auto& problem : validate_project(with_auth(auth))) out[problem.path] = problem.message;
    return out;
  }();
  EXPECT_EQ(problems.at("clients[0].auth.type"), "unknown auth type 'saml' (expected oauth)");
  EXPECT_EQ(problems.at("clients[0].auth.grant"),
            "unknown grant 'password' (expected authorization_code or client_credentials)");
  EXPECT_EQ(problems.at("clients[0].auth.client_secret_env"),
            "a client secret or key belongs to a pre-registered client: set client_id too");
  EXPECT_EQ(problems.at("clients[0].auth.client_metadata_url"),
            "must be an https:// URL (where the client metadata document is published)");
  EXPECT_EQ(problems.at("clients[0].auth.redirect_port"), "must be a port from 1 to 65535, got 70000");
  EXPECT_EQ(problems.at("clients[0].auth.scopes[0]"), "a scope is one word without blanks or quotes");
}

TEST(ValidateProject, OAuthGoesWithAUrlAndOwnsTheAuthorizationHeader) {
  ProjectConfig stdio = with_auth({}, std::nullopt);
  stdio.clients[0].command = "weather";
  const auto problems = validate_project(stdio);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], (Diagnostic{"clients[0].auth", "auth goes with a url (OAuth is for remote servers)"}));
  ProjectConfig both = with_auth({});
  both.clients[0].headers["Authorization"] = "Bearer x";
  ASSERT_EQ(validate_project(both).size(), 1u);
  EXPECT_EQ(validate_project(both)[0].message, "the OAuth token is the Authorization header: remove headers.Authorization");
  ClientAuthConfig service;
  service.grant = "client_credentials";
  EXPECT_EQ(validate_project(with_auth(service))[0].path, "clients[0].auth.grant");
}

}  // namespace
}  // namespace aurite::config
