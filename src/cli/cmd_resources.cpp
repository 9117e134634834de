// aurite resources [--client ID] [--agent NAME] [--url URL [--header NAME:VALUE]...]: the
// MCP resources the project's servers list (or what one agent sees).
#include <iostream>

#include "cli/cli_context.hpp"
#include "cli/mcp_clients.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

int run_resources(const Context& context, const McpSelection& selection) {
  const StartedMcp mcp = start_mcp(context, selection);
  const auto resources = mcp.host->resources(mcp.agent ? &*mcp.agent : nullptr);
  if (context.options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& resource : resources) {
      out.push_back({{"uri", resource.uri}, {"name", resource.name}, {"client_id", resource.client_id},
                     {"description", resource.description}, {"mimeType", resource.mime_type}});
    }
    print_json(std::cout, out);
    return kExitOk;
  }
  Table table({"URI", "NAME", "CLIENT", "TYPE", "DESCRIPTION"});
  for (const auto& resource : resources) {
    table.add_row({resource.uri, resource.name, resource.client_id, resource.mime_type.empty() ? "-" : resource.mime_type,
                   resource.description.substr(0, resource.description.find('\n'))});
  }
  if (table.empty()) std::cout << "No resources.\n";
  else table.print(std::cout);
  return kExitOk;
}

}  // namespace

void add_resources_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("resources", "List the MCP resources of the project's clients (starts the servers)");
  auto selection = std::make_shared<McpSelection>();
  add_selection_options(*command, *selection);
  command->callback([&context, selection] {
    context.action = [&context, selection] { return run_resources(context, *selection); };
  });
}

}  // namespace aurite::cli
