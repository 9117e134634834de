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
std::vector<std::string> missing_files(const config::ProjectConfig& project) {
  std::vector<std::string> missing;
  std::error_code ec;
  for (std::size_t i = 0; i < project.clients.size(); ++i) {
    const auto& path = project.clients[i].server_path;
    if (path && !std::filesystem::exists(config::resolve_path(project.base_dir, *path), ec)) {
      missing.push_back(fmt::format("clients[{}].server_path: '{}' does not exist (yet)", i, *path));
    }
  }
  for (std::size_t i = 0; i < project.custom_workflows.size(); ++i) {
    const auto& path = project.custom_workflows[i].module_path;
    if (!std::filesystem::exists(config::resolve_path(project.base_dir, path), ec)) {
      missing.push_back(fmt::format("custom_workflows[{}].module_path: '{}' does not exist (yet)", i, path));
    }
  }
  return missing;
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
  const auto warnings = missing_files(project);
  if (context.options.json) {
    print_json(std::cout, {{"valid", true},
                           {"file", path.string()},
                           {"counts",
                            {{"clients", project.clients.size()},
                             {"llms", project.llms.size()},
                             {"agents", project.agents.size()},
                             {"workflows", project.workflows.size()},
                             {"custom_workflows", project.custom_workflows.size()}}},
                           {"unknown_keys", unknown_keys},
                           {"warnings", warnings}});
    return kExitOk;
  }
  std::cout << fmt::format(
      "{}: valid ({} clients, {} llms, {} agents, {} workflows, {} custom workflows)\n", path.string(),
      project.clients.size(), project.llms.size(), project.agents.size(), project.workflows.size(),
      project.custom_workflows.size());
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
