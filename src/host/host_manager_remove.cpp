// HostManager::remove: the inverse of register_*, refused while anything still refers to
// the component, so the registries always hold a project that validates.
#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/config/validate.hpp"
#include "aurite/host/host_manager.hpp"

namespace aurite::host {

using config::ComponentKind;
using config::ProjectConfig;

namespace {

// "agent 'Weather Agent' (agents[0].client_ids[0])" for a problem at that path.
std::string referrer(const ProjectConfig& project, const Diagnostic& problem) {
  for (const ComponentKind kind : config::kComponentKinds) {
    const std::string key(config::kind_key(kind));
    if (problem.path.rfind(key + "[", 0) != 0) continue;
    const std::size_t index = std::stoul(problem.path.substr(key.size() + 1));
    const std::string name =
        config::visit_components(project, kind, [index](const auto& items) { return config::name_of(items.at(index)); });
    return fmt::format("{} '{}' ({})", config::kind_name(kind), name, problem.path);
  }
  return to_string(problem);
}

}  // namespace

template <typename T>
void HostManager::remove_component(std::vector<T> ProjectConfig::*registry, ComponentKind kind,
                                   const std::string& name) {
  std::lock_guard registration(registration_mutex_);
  ProjectConfig candidate = snapshot();
  auto& items = candidate.*registry;
  const auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return config::name_of(item) == name; });
  if (it == items.end()) {
    throw Error(ErrorCode::kNotFound, fmt::format("no {} named '{}'", config::kind_name(kind), name));
  }
  items.erase(it);
  // What refers to the component shows up as unknown references once it is gone.
  if (auto problems = config::validate_project(candidate); !problems.empty()) {
    std::vector<std::string> where;
    for (const auto& problem : problems) where.push_back(referrer(candidate, problem));
    throw Error(ErrorCode::kConflict, fmt::format("cannot delete {} '{}': still referenced by {}",
                                                  config::kind_name(kind), name, fmt::join(where, "; ")));
  }
  if (store_) store_->delete_config(kind, name);  // throws: memory stays as it was
  publish(std::move(candidate));
}

void HostManager::remove(ComponentKind kind, const std::string& name) {
  switch (kind) {
    case ComponentKind::kClient: return remove_component(&ProjectConfig::clients, kind, name);
    case ComponentKind::kLlm: return remove_component(&ProjectConfig::llms, kind, name);
    case ComponentKind::kAgent: return remove_component(&ProjectConfig::agents, kind, name);
    case ComponentKind::kWorkflow: return remove_component(&ProjectConfig::workflows, kind, name);
    case ComponentKind::kCustomWorkflow: return remove_component(&ProjectConfig::custom_workflows, kind, name);
    case ComponentKind::kGraphWorkflow: return remove_component(&ProjectConfig::graph_workflows, kind, name);
  }
}

}  // namespace aurite::host
