// aurite list [KIND]: the components of the project, as tables or JSON.
#include <iostream>

#include <fmt/format.h>

#include "aurite/config/json_codec.hpp"
#include "aurite/net/http_client.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

using config::ProjectConfig;

std::string or_dash(const std::optional<std::string>& value) { return value ? *value : "-"; }

Table clients_table(const ProjectConfig& project) {
  Table table({"CLIENT_ID", "SERVER", "TIMEOUT", "EXCLUDE"});
  for (const auto& c : project.clients) {
    std::string server = c.url ? net::display_url(*c.url) : c.server_path ? *c.server_path : or_dash(c.command);
    for (const auto& arg : c.args) server += " " + arg;
    table.add_row({c.client_id, server,
                   fmt::format("{}s", c.timeout.value_or(config::kDefaultClientTimeoutSeconds)),
                   join_or_dash(c.exclude)});
  }
  return table;
}

Table llms_table(const ProjectConfig& project) {
  Table table({"LLM_ID", "PROVIDER", "MODEL", "BASE_URL"});
  for (const auto& l : project.llms) table.add_row({l.llm_id, l.provider, or_dash(l.model), or_dash(l.base_url)});
  return table;
}

Table agents_table(const ProjectConfig& project) {
  Table table({"NAME", "MODEL", "CLIENTS", "HISTORY"});
  for (const auto& a : project.agents) {
    const std::string model = a.llm_config_id ? "llm:" + *a.llm_config_id
                                              : or_dash(a.provider) + "/" + or_dash(a.model);
    table.add_row({a.name, model, join_or_dash(a.client_ids), a.include_history.value_or(false) ? "yes" : "no"});
  }
  return table;
}

Table workflows_table(const ProjectConfig& project) {
  Table table({"NAME", "STEPS", "DESCRIPTION"});
  for (const auto& w : project.workflows) {
    std::string steps;
    for (const auto& step : w.steps) steps += (steps.empty() ? "" : " -> ") + step.name;
    table.add_row({w.name, steps, or_dash(w.description)});
  }
  return table;
}

Table custom_workflows_table(const ProjectConfig& project) {
  Table table({"NAME", "MODULE", "CLASS"});
  for (const auto& w : project.custom_workflows) table.add_row({w.name, w.module_path, w.class_name});
  return table;
}

Table graph_workflows_table(const ProjectConfig& project) {
  Table table({"NAME", "NODES", "EDGES", "DESCRIPTION"});
  for (const auto& w : project.graph_workflows) {
    std::string nodes;
    for (const auto& node : w.nodes) nodes += (nodes.empty() ? "" : ", ") + node.node_id + "=" + node.name;
    table.add_row({w.name, nodes, std::to_string(w.edges.size()), or_dash(w.description)});
  }
  return table;
}

struct Section {
  const char* kind;   // as typed on the command line
  const char* title;  // as printed above the table
  const char* key;    // the project file key, for --json
  Table (*table)(const ProjectConfig&);
};

constexpr Section kSections[] = {
    {"clients", "Clients", "clients", clients_table},
    {"llms", "LLMs", "llms", llms_table},
    {"agents", "Agents", "agents", agents_table},
    {"workflows", "Workflows", "workflows", workflows_table},
    {"custom-workflows", "Custom workflows", "custom_workflows", custom_workflows_table},
    {"graph-workflows", "Graph workflows", "graph_workflows", graph_workflows_table},
};

int run_list(const Context& context, const std::string& kind) {
  const auto project = context.load_host()->snapshot();
  const auto json = config::to_shown_json(project);
  bool first = true;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& section : kSections) {
    if (!kind.empty() && kind != section.kind) continue;
    if (context.options.json) {
      out[section.key] = json[section.key];
      continue;
    }
    const Table table = section.table(project);
    if (!first) std::cout << '\n';
    first = false;
    if (kind.empty()) std::cout << section.title << ":\n";
    if (table.empty()) {
      std::cout << "(none)\n";
    } else {
      table.print(std::cout);
    }
  }
  if (context.options.json) print_json(std::cout, kind.empty() ? out : out.begin().value());
  return kExitOk;
}

}  // namespace

void add_list_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("list", "List the components of the project");
  auto kind = std::make_shared<std::string>();
  command->add_option("kind", *kind, "Only this kind")
      ->check(CLI::IsMember({"agents", "workflows", "custom-workflows", "clients", "llms"}));
  command->callback([&context, kind] { context.action = [&context, kind] { return run_list(context, *kind); }; });
}

}  // namespace aurite::cli
