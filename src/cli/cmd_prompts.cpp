// aurite prompts [--client ID] [--agent NAME] [--url URL [--header NAME:VALUE]...]: the
// MCP prompts the project's servers offer (or what one agent sees), with their arguments.
#include <iostream>

#include "cli/cli_context.hpp"
#include "cli/mcp_clients.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

// "subject, details?": the arguments a prompt takes, optional ones marked.
std::string argument_names(const nlohmann::json& arguments) {
  std::vector<std::string> names;
  for (const auto& argument : arguments) {
    if (!argument.is_object()) continue;
    names.push_back(argument.value("name", "?") + (argument.value("required", false) ? "" : "?"));
  }
  return join_or_dash(names);
}

int run_prompts(const Context& context, const McpSelection& selection) {
  const StartedMcp mcp = start_mcp(context, selection);
  const auto prompts = mcp.host->prompts(mcp.agent ? &*mcp.agent : nullptr);
  if (context.options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& prompt : prompts) {
      out.push_back({{"name", prompt.name}, {"client_id", prompt.client_id}, {"description", prompt.description},
                     {"arguments", prompt.arguments}});
    }
    print_json(std::cout, out);
    return kExitOk;
  }
  Table table({"PROMPT", "CLIENT", "ARGUMENTS", "DESCRIPTION"});
  for (const auto& prompt : prompts) {
    table.add_row({prompt.name, prompt.client_id, argument_names(prompt.arguments),
                   prompt.description.substr(0, prompt.description.find('\n'))});
  }
  if (table.empty()) std::cout << "No prompts.\n";
  else table.print(std::cout);
  return kExitOk;
}

}  // namespace

void add_prompts_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("prompts", "List the MCP prompts of the project's clients (starts the servers)");
  auto selection = std::make_shared<McpSelection>();
  add_selection_options(*command, *selection);
  command->callback([&context, selection] { context.action = [&context, selection] { return run_prompts(context, *selection); }; });
}

}  // namespace aurite::cli
