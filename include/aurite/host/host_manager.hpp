// host/host_manager — the orchestration layer: it loads the project, holds the registries
// of clients, llms, agents and workflows, and is where persistence plugs in.
//
// Thread-safety: every member function may be called from several threads; lookups
// return copies so a concurrent registration never invalidates what a caller holds.
//
// Several processes on one database (config_reload.cpp): when configs are stored in the
// database, what another process registers or removes there reaches this one through
// reload_configs(), which start_config_reload() calls on an interval (polling: SQLite has
// no change notification, and one cheap listing per interval costs next to nothing). A
// change made elsewhere is served here within one interval plus one database read. The
// reloaded project is validated as a whole, like a file, and applied all at once or not
// at all; a run keeps the agent, llm and workflow it looked up when it started.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aurite/config/models.hpp"
#include "aurite/execution/execution_facade.hpp"
#include "aurite/host/project_loading.hpp"
#include "aurite/host/runs.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/storage/config_store.hpp"
#include "aurite/storage/memory_run_store.hpp"
#include "aurite/storage/settings.hpp"
#include "aurite/storage/storage_manager.hpp"

namespace aurite::host {

// Where the project is: `flag` (--config) when given, else $PROJECT_CONFIG_PATH (each
// may name a folder: config::locate_project), else ./aurite_config.json when it exists,
// else the nearest .aurite file in the working folder or its parents, else
// ./aurite_config.json (whose absence the loader then reports).
std::filesystem::path resolve_config_path(const std::optional<std::filesystem::path>& flag);

enum class Registration { kCreated, kUpdated };

// What a reload changed in memory, each entry naming kind and name ("agent 'Weather Agent'").
struct ConfigChanges {
  std::vector<std::string> added;
  std::vector<std::string> updated;
  std::vector<std::string> removed;

  bool empty() const { return added.empty() && updated.empty() && removed.empty(); }
};

struct HostOptions {
  std::filesystem::path config_path;                // not read with ConfigSource::kDb
  ConfigSource config_source = ConfigSource::kFile;
  storage::StorageSettings storage;                 // enabled = false: no database at all
};

class HostManager : public execution::ConfigLookup {
 public:
  // Takes a project that has been validated (as load_project_file returns it).
  explicit HostManager(config::ProjectConfig project);
  ~HostManager() override;

  // Loads and validates the project file; throws ConfigError and builds nothing when
  // anything in it is wrong. Unknown keys are logged once, as one warning. Touches no
  // database.
  static std::unique_ptr<HostManager> from_file(const std::filesystem::path& path);

  // Everything a process needs to run: the database when enabled, the project from the
  // configured source (the file is synced to the database in one transaction when
  // configs are stored), registrations written through to the database, the MCP host
  // (servers start on first use) and the facade. Throws ConfigError for a bad project,
  // what StorageManager::open throws for a database that is enabled but unreachable, and
  // Error(kInvalidArgument) for a source that needs a database that is off.
  static std::unique_ptr<HostManager> open(const HostOptions& options);

  // The seam for persistence. With a store attached, every registration is written
  // through it before memory changes. Null detaches.
  void attach_config_store(std::shared_ptr<storage::ConfigStore> store);

  // Makes reload_configs() follow `store`: `baseline` is what it held (list_configs())
  // when the registries were loaded, taken before loading so nothing written in between
  // is missed. open() does this whenever the database stores configs.
  void follow_config_store(std::shared_ptr<storage::DbConfigStore> store,
                           const std::vector<storage::StoredConfigInfo>& baseline);

  // Applies what changed in the followed store since the baseline or the last reload:
  // components added or changed there are registered here, components deleted there are
  // removed here; the rest of the project (e.g. file components the store never held)
  // stays. First one cheap listing of names and hashes; the configs are read only when
  // it differs. The result is validated like a project file and applied in one step,
  // MCP clients included (see McpHost::update_clients). Returns what changed in memory
  // (empty when nothing did, or no store is followed). Throws ConfigError when the
  // stored changes do not validate with the rest, and whatever the store throws; either
  // way nothing changes, and the next call tries again.
  // Registrations wait while the changed configs are read; lookups never do.
  ConfigChanges reload_configs();

  // Calls reload_configs() every `interval` on a background thread until the host is
  // destroyed. A failure (database down, stored configs that do not validate) is logged
  // once as a warning while the last good configs keep being served; the recovery is
  // logged at info. Does nothing when no store is followed or `interval` is zero.
  // Throws Error(kInvalidArgument) when called twice.
  void start_config_reload(std::chrono::milliseconds interval);

  // Each register_* validates the component in the context of the current project
  // (references, value ranges, names), writes it to the attached store, then updates
  // memory. A component whose name exists is replaced (kUpdated). Throws ConfigError
  // when it is invalid and whatever the store throws when the write fails; in both
  // cases the registries are unchanged.
  Registration register_client(config::ClientConfig client);
  Registration register_llm(config::LlmConfig llm);
  Registration register_agent(config::AgentConfig agent);
  Registration register_workflow(config::WorkflowConfig workflow);
  Registration register_custom_workflow(config::CustomWorkflowConfig workflow);
  Registration register_graph_workflow(config::GraphWorkflowConfig workflow);

  // Removes the component of `kind` named `name`: from the attached config store first,
  // then from memory. Throws Error(kNotFound) when there is none, Error(kConflict) naming
  // every reference when the project would no longer validate without it (an agent still
  // using the client or llm, a workflow step or graph node naming the agent), and what
  // the store throws.
  // On a throw the registries are unchanged.
  // (host_manager_remove.cpp)
  void remove(config::ComponentKind kind, const std::string& name);

  std::optional<config::ClientConfig> find_client(const std::string& client_id) const;
  std::optional<config::LlmConfig> find_llm(const std::string& llm_id) const override;
  std::optional<config::AgentConfig> find_agent(const std::string& name) const override;
  std::optional<config::WorkflowConfig> find_workflow(const std::string& name) const override;
  std::optional<config::CustomWorkflowConfig> find_custom_workflow(const std::string& name) const override;
  std::optional<config::GraphWorkflowConfig> find_graph_workflow(const std::string& name) const override;
  std::filesystem::path base_dir() const override;

  // A consistent copy of everything registered.
  config::ProjectConfig snapshot() const;

  // Throws Error(kNotFound) "no agent, workflow, graph workflow or custom workflow named
  // 'X'", with the closest name when one is close ("did you mean"), unless `name` is one
  // of them.
  // With `agents_only`, only agents count ("no agent named 'X'"). A name left out of a
  // project of component files for its problems throws the ConfigError listing them.
  void require_runnable(const std::string& name, bool agents_only = false) const;

  // Opens what runs need: the database when `storage_settings` enable it, the MCP host
  // for the project's clients (each server starts when first used) and the execution
  // facade. Call once, before the accessors below; throws what StorageManager::open
  // throws (a database that is enabled but unreachable is an error, not a fallback).
  void open_services(const storage::StorageSettings& storage_settings);
  // Each throws Error(kInternal) before open_services().
  execution::ExecutionFacade& execution();
  mcp::McpHost& mcp();
  // Every run as a resource: its row in the database when it is on, in this process's
  // memory otherwise. Made (and its heartbeat started) on first use.
  Runs& runs();
  // Null when the database is off.
  storage::StorageManager* storage() { return storage_.get(); }

 private:
  // The MCP host and the facade, on whatever storage_ holds (the settings give the
  // session lease timings).
  void start_services(const storage::StorageSettings& storage_settings);

  template <typename T, typename Save>
  Registration register_component(std::vector<T> config::ProjectConfig::*registry, T component,
                                  Save save);

  // Makes `candidate` the project and the MCP host's clients follow it. Called with
  // registration_mutex_ held.
  void publish(config::ProjectConfig candidate);

  void reload_loop(const std::stop_token& stop, std::chrono::milliseconds interval);

  template <typename T>
  void remove_component(std::vector<T> config::ProjectConfig::*registry, config::ComponentKind kind,
                        const std::string& name);

  mutable std::shared_mutex mutex_;
  // Serialises registrations so that validate-write-update is one step.
  std::mutex registration_mutex_;
  config::ProjectConfig project_;
  std::shared_ptr<storage::ConfigStore> store_;
  // Destroyed in reverse order: runs stop before servers, servers before the database.
  std::unique_ptr<storage::StorageManager> storage_;
  std::unique_ptr<mcp::McpHost> mcp_;
  std::unique_ptr<execution::ExecutionFacade> execution_;
  std::mutex runs_mutex_;  // guards the two below while they are made
  std::unique_ptr<storage::MemoryRunStore> memory_runs_;
  std::unique_ptr<Runs> runs_;

  // Serialises reloads; guards the two members below.
  std::mutex reload_mutex_;
  std::shared_ptr<storage::DbConfigStore> followed_store_;
  // (kind, name) -> config_hash as of the baseline or the last applied reload.
  std::map<std::pair<config::ComponentKind, std::string>, std::string> seen_hashes_;
  // Declared last so it stops first, while everything it touches is still there.
  std::jthread reloader_;
};

}  // namespace aurite::host
