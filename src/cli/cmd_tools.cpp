// aurite tools [--client ID] [--agent NAME] [--url URL [--header NAME:VALUE]...]: the MCP
// tools an agent would see, after starting the servers and asking them, and the protocol
// revision each server speaks.
#include <iostream>
#include <map>

#include "cli/cli_context.hpp"
#include "cli/mcp_clients.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

// A table cell: the first line of a description, not the whole essay.
std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

int run_tools(const Context& context, const McpSelection& selection) {
  const StartedMcp mcp = start_mcp(context, selection);
  const auto tools = mcp.agent ? mcp.host->tools_for(*mcp.agent) : mcp.host->tools();
  const auto failures = mcp.host->failed_clients(mcp.agent ? &*mcp.agent : nullptr);
  for (const auto& failure : failures) std::cerr << "error: " << failure.error << '\n';
  const int status = failures.empty() ? kExitOk : kExitFailure;
  std::map<std::string, mcp::ClientConnection> connections;
  for (auto& connection : mcp.host->connections()) connections[connection.client_id] = connection;
  if (context.options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& tool : tools) {
      const auto& connection = connections[tool.client_id];
      out.push_back({{"name", tool.name}, {"client_id", tool.client_id}, {"description", tool.description},
                     {"inputSchema", tool.input_schema}, {"transport", connection.transport},
                     {"protocol_version", connection.protocol_version}});
    }
    print_json(std::cout, out);
    return status;
  }
  Table table({"TOOL", "CLIENT", "DESCRIPTION"});
  for (const auto& tool : tools) table.add_row({tool.name, tool.client_id, first_line(tool.description)});
  if (table.empty()) std::cout << "No tools.\n";
  else table.print(std::cout);
  if (!connections.empty()) {
    // Which revision each server speaks tells why a feature is or is not there.
    Table servers({"CLIENT", "TRANSPORT", "PROTOCOL", "SERVER"});
    for (const auto& [id, connection] : connections) {
      const std::string server = connection.server_name.empty()
                                     ? "-"
                                     : connection.server_name + (connection.server_version.empty()
                                                                     ? "" : " " + connection.server_version);
      servers.add_row({id, connection.transport, connection.protocol_version, server});
    }
    std::cout << '\n';
    servers.print(std::cout);
  }
  return status;
}

}  // namespace

void add_tools_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("tools", "List the MCP tools of the project's clients (starts the servers)");
  auto selection = std::make_shared<McpSelection>();
  add_selection_options(*command, *selection);
  command->callback([&context, selection] { context.action = [&context, selection] { return run_tools(context, *selection); }; });
}

}  // namespace aurite::cli
