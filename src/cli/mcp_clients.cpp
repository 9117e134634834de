#include "cli/mcp_clients.hpp"

#include <algorithm>

#include "aurite/common/error.hpp"

namespace aurite::cli {

StartedMcp start_mcp(const Context& context, const McpSelection& selection) {
  const config::ProjectConfig project = context.load_host()->snapshot();
  StartedMcp started;
  if (selection.agent_name) {
    const auto it = std::find_if(project.agents.begin(), project.agents.end(),
                                 [&](const config::AgentConfig& a) { return a.name == *selection.agent_name; });
    if (it == project.agents.end()) {
      throw Error(ErrorCode::kNotFound, "no agent named '" + *selection.agent_name + "' in " + context.config_path().string());
    }
    started.agent = *it;
  }
  std::vector<config::ClientConfig> clients;
  for (const auto& client : project.clients) {
    if (selection.client_id && client.client_id != *selection.client_id) continue;
    if (started.agent && std::find(started.agent->client_ids.begin(), started.agent->client_ids.end(),
                                   client.client_id) == started.agent->client_ids.end()) {
      continue;
    }
    clients.push_back(client);
  }
  if (selection.client_id && clients.empty()) {
    const bool exists = std::any_of(project.clients.begin(), project.clients.end(),
                                    [&](const config::ClientConfig& c) { return c.client_id == *selection.client_id; });
    throw Error(ErrorCode::kNotFound, exists ? "agent '" + *selection.agent_name + "' does not use client '" +
                                                   *selection.client_id + "'"
                                             : "no client '" + *selection.client_id + "' in " +
                                                   context.config_path().string());
  }
  // Servers start on the first listing, one broken server not hiding the others' tools.
  started.host = std::make_unique<mcp::McpHost>(std::move(clients), project.base_dir);
  return started;
}

void add_selection_options(CLI::App& command, McpSelection& selection) {
  command.add_option("--client", selection.client_id, "Only this MCP client");
  command.add_option("--agent", selection.agent_name, "What this agent sees (its clients, minus its exclusions)");
}

}  // namespace aurite::cli
