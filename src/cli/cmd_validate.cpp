// aurite validate: checks the project file and reports every problem at once.
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "aurite/config/project_file.hpp"
#include "aurite/host/project_loading.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

// Files the project points at that are not there: worth a warning, not an error,
// because servers and plugins are often built after the project is written.
std::vector<std::string> missing_files(const config::LoadedProject& loaded) {
  const config::ProjectConfig& project = loaded.project;
  const bool component_files = loaded.format == config::ProjectFormat::kComponentFiles;
  std::vector<std::string> missing;
  std::error_code ec;
  for (std::size_t i = 0; i < project.clients.size(); ++i) {
    const auto& path = project.clients[i].server_path;
    if (path && !std::filesystem::exists(config::resolve_path(project.base_dir, *path), ec)) {
      const std::string where = component_files ? fmt::format("mcp_server '{}'", project.clients[i].client_id)
                                                : fmt::format("clients[{}]", i);
      missing.push_back(fmt::format("{}.server_path: '{}' does not exist (yet)", where, *path));
    }
  }
  for (std::size_t i = 0; i < project.custom_workflows.size(); ++i) {
    const auto& workflow = project.custom_workflows[i];
    if (config::is_python_workflow(workflow)) continue;  // said among the warnings
    if (!std::filesystem::exists(config::resolve_path(project.base_dir, workflow.module_path), ec)) {
      const std::string where = component_files ? fmt::format("custom_workflow '{}'", workflow.name)
                                                : fmt::format("custom_workflows[{}]", i);
      missing.push_back(fmt::format("{}.module_path: '{}' does not exist (yet)", where, workflow.module_path));
    }
  }
  missing.insert(missing.end(), loaded.warnings.begin(), loaded.warnings.end());
  return missing;
}

std::string counted(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

nlohmann::json to_json(const config::UnknownKey& key) {
  nlohmann::json out = {{"path", key.path}, {"message", config::describe(key)}};
  if (!key.suggestion.empty()) out["suggestion"] = key.suggestion;
  return out;
}

int run_validate(const Context& context, bool strict) {
  const auto path = context.config_path();
  const auto loaded = config::load_project_file(path);  // throws ConfigError when invalid
  // Here rather than through host::read_project_file: validate reports the keys on
  // stdout as its result, not as a log warning.
  if (strict && !loaded.unknown_keys.empty()) {
    throw ConfigError(path.string(), config::unknown_key_errors(loaded.unknown_keys));
  }
  nlohmann::json unknown_keys = nlohmann::json::array();
  for (const auto& key : loaded.unknown_keys) unknown_keys.push_back(to_json(key));
  const auto& project = loaded.project;
  const auto warnings = missing_files(loaded);
  if (context.options.json) {
    print_json(std::cout, {{"valid", true},
                           {"file", path.string()},
                           {"counts",
                            {{"clients", project.clients.size()},
                             {"llms", project.llms.size()},
                             {"agents", project.agents.size()},
                             {"workflows", project.workflows.size()},
                             {"custom_workflows", project.custom_workflows.size()},
                             {"graph_workflows", project.graph_workflows.size()}}},
                           {"format", loaded.format == config::ProjectFormat::kComponentFiles ? "aurite-0.4" : "json"},
                           {"unknown_keys", unknown_keys},
                           {"warnings", warnings}});
    return kExitOk;
  }
  std::cout << fmt::format("{}: valid ({}, {}, {}, {}, {}, {})\n", path.string(),
                           counted(project.clients.size(), "client", "clients"),
                           counted(project.llms.size(), "llm", "llms"), counted(project.agents.size(), "agent", "agents"),
                           counted(project.workflows.size(), "workflow", "workflows"),
                           counted(project.graph_workflows.size(), "graph workflow", "graph workflows"),
                           counted(project.custom_workflows.size(), "custom workflow", "custom workflows"));
  for (const auto& key : loaded.unknown_keys) {
    std::cout << "  warning: " << key.path << ": " << config::describe(key) << ", kept as written\n";
  }
  if (!loaded.unknown_keys.empty()) std::cout << "  (validate --strict or AURITE_STRICT_CONFIG=true refuses unknown keys)\n";
  for (const auto& warning : warnings) std::cout << "  warning: " << warning << '\n';
  return kExitOk;
}

}  // namespace

void add_validate_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "validate", "Check the project file; print every problem with its JSON path (exit 2 when invalid)");
  auto strict = std::make_shared<bool>(false);
  command->add_flag("--strict", *strict, "Unknown keys are errors, not warnings (also AURITE_STRICT_CONFIG=true)");
  command->callback([&context, strict] {
    context.action = [&context, strict] { return run_validate(context, *strict || host::strict_config_from_env()); };
  });
}

}  // namespace aurite::cli
