// aurite show NAME: one component's full configuration, whatever its kind.
#include <iostream>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/config/json_codec.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

int run_show(const Context& context, const std::string& name) {
  const auto host = context.load_host();
  nlohmann::json matches = nlohmann::json::array();
  const auto add = [&](config::ComponentKind kind, const auto& component) {
    if (component) matches.push_back({{"kind", config::kind_name(kind)}, {"config", config::to_shown_json(*component)}});
  };
  add(config::ComponentKind::kClient, host->find_client(name));
  add(config::ComponentKind::kLlm, host->find_llm(name));
  add(config::ComponentKind::kAgent, host->find_agent(name));
  add(config::ComponentKind::kWorkflow, host->find_workflow(name));
  add(config::ComponentKind::kCustomWorkflow, host->find_custom_workflow(name));
  add(config::ComponentKind::kGraphWorkflow, host->find_graph_workflow(name));
  if (matches.empty()) {
    const config::ProjectConfig project = host->snapshot();
    std::vector<std::string> names;
    for (const auto& c : project.clients) names.push_back(c.client_id);
    for (const auto& l : project.llms) names.push_back(l.llm_id);
    for (const auto& a : project.agents) names.push_back(a.name);
    for (const auto& w : project.workflows) names.push_back(w.name);
    for (const auto& w : project.custom_workflows) names.push_back(w.name);
    for (const auto& w : project.graph_workflows) names.push_back(w.name);
    throw Error(ErrorCode::kNotFound, "no client, llm, agent or workflow named '" + name + "' in " +
                                          context.config_path().string() + did_you_mean(name, names));
  }
  if (context.options.json) {
    print_json(std::cout, matches.size() == 1 ? matches[0] : matches);
    return kExitOk;
  }
  for (const auto& match : matches) {
    std::cout << match["kind"].get<std::string>() << " '" << name << "':\n";
    print_json(std::cout, match["config"]);
  }
  return kExitOk;
}

}  // namespace

void add_show_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("show", "Show the full configuration of a component by name");
  auto name = std::make_shared<std::string>();
  command->add_option("name", *name, "Client id, llm id, agent or workflow name")->required();
  command->callback([&context, name] { context.action = [&context, name] { return run_show(context, *name); }; });
}

}  // namespace aurite::cli
