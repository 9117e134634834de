#include "execution/execution_test_support.hpp"

#include <stdlib.h>

#include "mcp/mcp_test_support.hpp"

namespace aurite::testing {

std::vector<config::ClientConfig> example_clients(const std::filesystem::path& plans_dir) {
  config::ClientConfig weather;
  weather.client_id = "weather_server";
  weather.server_path = example_server_path("aurite-example-weather-server").string();
  config::ClientConfig planning;
  planning.client_id = "planning_server";
  planning.command = example_server_path("aurite-example-planning-server").string();
  planning.args = {"--plans-dir", plans_dir.string()};
  return {weather, planning};
}

config::LlmConfig offline_llm() {
  config::LlmConfig llm;
  llm.llm_id = "offline";
  llm.provider = "test";
  return llm;
}

config::AgentConfig offline_agent(const std::string& name, std::vector<std::string> client_ids, bool history) {
  config::AgentConfig agent;
  agent.name = name;
  agent.client_ids = std::move(client_ids);
  agent.llm_config_id = "offline";
  agent.include_history = history;
  return agent;
}

config::LlmConfig scripted_llm(const std::string& llm_id, const std::string& base_url) {
  ::setenv("AURITE_TEST_API_KEY", "sk-test", 1);
  config::LlmConfig llm;
  llm.llm_id = llm_id;
  llm.provider = "anthropic";
  llm.model = "claude-test";
  llm.base_url = base_url;
  llm.api_key_env = "AURITE_TEST_API_KEY";
  return llm;
}

ProjectRun::ProjectRun(config::ProjectConfig project, storage::HistoryStore* history,
                       storage::ApprovalStore* approvals) {
  if (project.base_dir.empty()) project.base_dir = std::filesystem::current_path();
  host = std::make_unique<host::HostManager>(project);
  mcp = std::make_unique<mcp::McpHost>(project.clients, project.base_dir);
  facade = std::make_unique<execution::ExecutionFacade>(*host, *mcp, history, llm::make_llm_client, nullptr, approvals);
}

ProjectRun::~ProjectRun() = default;

std::string anthropic_reply(const std::vector<nlohmann::json>& blocks, const std::string& stop_reason) {
  return nlohmann::json{{"content", nlohmann::json(blocks)}, {"stop_reason", stop_reason}, {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}}
      .dump();
}

}  // namespace aurite::testing
