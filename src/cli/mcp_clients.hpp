// The MCP clients a command works with, chosen by --client and --agent, and the
// started host over them. Shared by `aurite tools` and `aurite call-tool`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aurite/config/models.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "cli/cli_context.hpp"

namespace aurite::cli {

struct McpSelection {
  std::optional<std::string> client_id;   // --client: only this client
  std::optional<std::string> agent_name;  // --agent: what this agent sees
  // --url: one remote server and no project at all, with --header NAME:VALUE lines.
  std::optional<std::string> url;
  std::vector<std::string> headers;
};

struct StartedMcp {
  std::optional<config::AgentConfig> agent;
  std::unique_ptr<mcp::McpHost> host;
};

// Loads the project and starts the clients the selection names (all of them when it
// names none), or only the server at --url. Throws Error(kNotFound) for an unknown
// client or agent, Error(kInvalidArgument) for a bad --url or --header (or one given with
// --client or --agent), and whatever McpHost::start() throws.
StartedMcp start_mcp(const Context& context, const McpSelection& selection);

// Adds --client, --agent, --url and --header to `command`.
void add_selection_options(CLI::App& command, McpSelection& selection);

}  // namespace aurite::cli
