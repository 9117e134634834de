// A project assembled in a test: configurations in memory, looked up by the facade the
// way the HostManager serves them, with MCP clients for our real servers.
#pragma once

#include <memory>

#include "aurite/execution/execution_facade.hpp"
#include "aurite/host/host_manager.hpp"

namespace aurite::testing {

// The example project's weather and planning clients, with the planning server writing
// into `plans_dir`.
std::vector<config::ClientConfig> example_clients(const std::filesystem::path& plans_dir);

// An agent on the offline test model.
config::AgentConfig offline_agent(const std::string& name, std::vector<std::string> client_ids, bool history = true);

// An LlmConfig for a scripted Anthropic-format endpoint at `base_url`.
config::LlmConfig scripted_llm(const std::string& llm_id, const std::string& base_url);

// The llm "offline" (provider test) every offline_agent uses.
config::LlmConfig offline_llm();

// Runs a project: a HostManager holding it, the MCP host and the facade, with `history`.
struct ProjectRun {
  explicit ProjectRun(config::ProjectConfig project, storage::HistoryStore* history = nullptr,
                      storage::ApprovalStore* approvals = nullptr);
  ~ProjectRun();

  std::unique_ptr<host::HostManager> host;
  std::unique_ptr<mcp::McpHost> mcp;
  std::unique_ptr<execution::ExecutionFacade> facade;
};

// An Anthropic Messages API answer holding `blocks`.
std::string anthropic_reply(const std::vector<nlohmann::json>& blocks, const std::string& stop_reason = "end_turn");

}  // namespace aurite::testing
