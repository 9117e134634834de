#include "aurite/host/host_manager.hpp"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/config/names.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/config/validate.hpp"
#include "aurite/secrets/file_secret_store.hpp"

namespace aurite::host {

using config::ProjectConfig;

std::filesystem::path resolve_config_path(const std::optional<std::filesystem::path>& flag) {
  if (flag && !flag->empty()) return config::locate_project(*flag);
  if (auto env = get_env("PROJECT_CONFIG_PATH"); env && !env->empty()) return config::locate_project(*env);
  // Nothing named: the working folder's project file, else the nearest .aurite above,
  // made relative to the working folder when it is in it (messages stay short).
  const auto cwd = std::filesystem::current_path();
  const auto found = config::find_project(cwd);
  if (!found) return config::kProjectFileName;
  const auto relative = found->lexically_relative(cwd);
  return relative.empty() || *relative.begin() == ".." ? *found : relative;
}

HostManager::HostManager(ProjectConfig project) : project_(std::move(project)) {}

HostManager::~HostManager() = default;

std::unique_ptr<HostManager> HostManager::open(const HostOptions& options) {
  auto storage = storage::StorageManager::open_if_enabled(options.storage);
  const bool stores_configs = storage && storage->configs() != nullptr;
  // Listed before loading: a change another process makes meanwhile is applied by the
  // first reload instead of being taken as already loaded.
  const auto baseline = stores_configs ? storage->configs()->list_configs() : std::vector<storage::StoredConfigInfo>{};
  auto host = std::make_unique<HostManager>(load_project(options.config_path, options.config_source, storage.get()));
  if (stores_configs) {
    host->attach_config_store(storage->shared_configs());
    host->follow_config_store(storage->shared_configs(), baseline);
  }
  host->storage_ = std::move(storage);
  // The database was tried above: an optional one that is down is not tried (and
  // warned about) a second time.
  host->start_services(options.storage);
  return host;
}

void HostManager::open_services(const storage::StorageSettings& storage_settings) {
  if (execution_) throw Error(ErrorCode::kInternal, "HostManager::open_services called twice");
  if (!storage_) storage_ = storage::StorageManager::open_if_enabled(storage_settings);
  start_services(storage_settings);
}

void HostManager::start_services(const storage::StorageSettings& storage_settings) {
  if (execution_) throw Error(ErrorCode::kInternal, "HostManager::open_services called twice");
  const ProjectConfig project = snapshot();
  mcp_ = std::make_unique<mcp::McpHost>(project.clients, project.base_dir);
  // Logins made with `aurite mcp login` are found (and refreshed) where it keeps them.
  mcp::auth::AuthorizerOptions authorization;
  authorization.store = storage_ ? storage_->secrets() : secrets::default_file_store();
  mcp_->set_authorization(std::move(authorization));
  auto sessions = std::make_unique<execution::SessionGate>(
      storage_ ? storage_->leases() : nullptr,
      execution::SessionGateOptions{storage_settings.session_lease_ttl, storage_settings.session_wait});
  execution_ = std::make_unique<execution::ExecutionFacade>(*this, *mcp_, storage_ ? storage_->history() : nullptr,
                                                            llm::make_llm_client, std::move(sessions),
                                                            storage_ ? storage_->approvals() : nullptr);
}

execution::ExecutionFacade& HostManager::execution() {
  if (!execution_) throw Error(ErrorCode::kInternal, "HostManager::execution() before open_services()");
  return *execution_;
}

Runs& HostManager::runs() {
  std::lock_guard lock(runs_mutex_);
  if (!runs_) {
    storage::RunStore* store = storage_ ? storage_->runs() : nullptr;
    if (store == nullptr) {
      memory_runs_ = std::make_unique<storage::MemoryRunStore>();
      store = memory_runs_.get();
    }
    runs_ = std::make_unique<Runs>(execution(), *this, *store, storage_ ? storage_->approvals() : nullptr,
                                   runs_options_from_env());
  }
  return *runs_;
}

mcp::McpHost& HostManager::mcp() {
  if (!mcp_) throw Error(ErrorCode::kInternal, "HostManager::mcp() before open_services()");
  return *mcp_;
}

std::filesystem::path HostManager::base_dir() const {
  std::shared_lock lock(mutex_);
  return project_.base_dir;
}

void HostManager::require_runnable(const std::string& name, bool agents_only) const {
  // The common case, on every run: one lookup, not a copy of the whole project.
  if (find_agent(name)) return;
  if (!agents_only && (find_workflow(name) || find_graph_workflow(name) || find_custom_workflow(name))) return;
  const config::ProjectConfig project = snapshot();
  std::vector<std::string> names;
  for (const auto& agent : project.agents) names.push_back(agent.name);
  if (!agents_only) {
    for (const auto& workflow : project.workflows) names.push_back(workflow.name);
    for (const auto& workflow : project.graph_workflows) names.push_back(workflow.name);
    for (const auto& workflow : project.custom_workflows) names.push_back(workflow.name);
  }
  for (const auto& left : project.left_out) {
    if (left.name == name && (!agents_only || left.kind == config::ComponentKind::kAgent)) {
      throw ConfigError(left.source, left.problems);
    }
  }
  // Compared in lower case: "weather agnet" is a typo of "Weather Agent", not 4 edits away.
  std::vector<std::string> lowered;
  for (const auto& candidate : names) lowered.push_back(to_lower(candidate));
  const std::string match = name.size() <= config::kMaxNameBytes ? closest_match(to_lower(name), lowered) : "";
  const auto at = std::find(lowered.begin(), lowered.end(), match);
  std::string message = fmt::format("no {} named '{}'", agents_only ? "agent" : "agent, workflow, graph workflow or custom workflow",
                                    config::excerpt(name));
  if (!match.empty()) message += fmt::format(" (did you mean '{}'?)", names[static_cast<std::size_t>(at - lowered.begin())]);
  throw Error(ErrorCode::kNotFound, message);
}

std::unique_ptr<HostManager> HostManager::from_file(const std::filesystem::path& path) {
  auto loaded = read_project_file(path, strict_config_from_env());
  spdlog::debug("loaded {} ({} clients, {} llms, {} agents, {} workflows, {} custom workflows, {} graph workflows)",
                path.string(), loaded.project.clients.size(), loaded.project.llms.size(),
                loaded.project.agents.size(), loaded.project.workflows.size(),
                loaded.project.custom_workflows.size(), loaded.project.graph_workflows.size());
  return std::make_unique<HostManager>(std::move(loaded.project));
}

void HostManager::attach_config_store(std::shared_ptr<storage::ConfigStore> store) {
  std::lock_guard registration(registration_mutex_);
  store_ = std::move(store);
}

template <typename T, typename Save>
Registration HostManager::register_component(std::vector<T> ProjectConfig::*registry, T component,
                                             Save save) {
  std::lock_guard registration(registration_mutex_);
  // Validate the project as it would be, so references and name clashes are checked
  // exactly as they are for a file.
  ProjectConfig candidate = snapshot();
  auto& items = candidate.*registry;
  const std::string name = config::name_of(component);
  const auto existing = std::find_if(items.begin(), items.end(),
                                     [&](const T& item) { return config::name_of(item) == name; });
  const Registration result = existing == items.end() ? Registration::kCreated : Registration::kUpdated;
  if (existing == items.end()) {
    items.push_back(component);
  } else {
    *existing = component;
  }
  if (auto problems = config::validate_project(candidate); !problems.empty()) {
    throw ConfigError(fmt::format("registering '{}'", config::excerpt(name)), std::move(problems));
  }
  if (store_) save(*store_, component);  // throws: memory stays as it was
  publish(std::move(candidate));
  return result;
}

void HostManager::publish(ProjectConfig candidate) {
  std::vector<config::ClientConfig> clients = candidate.clients;
  {
    std::unique_lock lock(mutex_);
    project_ = std::move(candidate);
  }
  if (mcp_) mcp_->update_clients(std::move(clients));
}

Registration HostManager::register_client(config::ClientConfig client) {
  return register_component(&ProjectConfig::clients, std::move(client),
                            [](storage::ConfigStore& s, const auto& c) { s.save_client(c); });
}

Registration HostManager::register_llm(config::LlmConfig llm) {
  return register_component(&ProjectConfig::llms, std::move(llm),
                            [](storage::ConfigStore& s, const auto& c) { s.save_llm(c); });
}

Registration HostManager::register_agent(config::AgentConfig agent) {
  return register_component(&ProjectConfig::agents, std::move(agent),
                            [](storage::ConfigStore& s, const auto& c) { s.save_agent(c); });
}

Registration HostManager::register_workflow(config::WorkflowConfig workflow) {
  return register_component(&ProjectConfig::workflows, std::move(workflow),
                            [](storage::ConfigStore& s, const auto& c) { s.save_workflow(c); });
}

Registration HostManager::register_custom_workflow(config::CustomWorkflowConfig workflow) {
  return register_component(&ProjectConfig::custom_workflows, std::move(workflow),
                            [](storage::ConfigStore& s, const auto& c) { s.save_custom_workflow(c); });
}

Registration HostManager::register_graph_workflow(config::GraphWorkflowConfig workflow) {
  return register_component(&ProjectConfig::graph_workflows, std::move(workflow),
                            [](storage::ConfigStore& s, const auto& c) { s.save_graph_workflow(c); });
}

namespace {

template <typename T>
std::optional<T> find_by_name(const std::vector<T>& items, const std::string& name) {
  const auto it = std::find_if(items.begin(), items.end(),
                               [&](const T& item) { return config::name_of(item) == name; });
  if (it == items.end()) return std::nullopt;
  return *it;
}

}  // namespace

std::optional<config::ClientConfig> HostManager::find_client(const std::string& client_id) const {
  std::shared_lock lock(mutex_);
  return find_by_name(project_.clients, client_id);
}

std::optional<config::LlmConfig> HostManager::find_llm(const std::string& llm_id) const {
  std::shared_lock lock(mutex_);
  return find_by_name(project_.llms, llm_id);
}

std::optional<config::AgentConfig> HostManager::find_agent(const std::string& name) const {
  std::shared_lock lock(mutex_);
  return find_by_name(project_.agents, name);
}

std::optional<config::WorkflowConfig> HostManager::find_workflow(const std::string& name) const {
  std::shared_lock lock(mutex_);
  return find_by_name(project_.workflows, name);
}

std::optional<config::CustomWorkflowConfig> HostManager::find_custom_workflow(
    const std::string& name) const {
  std::shared_lock lock(mutex_);
  return find_by_name(project_.custom_workflows, name);
}

std::optional<config::GraphWorkflowConfig> HostManager::find_graph_workflow(const std::string& name) const {
  std::shared_lock lock(mutex_);
  return find_by_name(project_.graph_workflows, name);
}

ProjectConfig HostManager::snapshot() const {
  std::shared_lock lock(mutex_);
  return project_;
}

}  // namespace aurite::host
