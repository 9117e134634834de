// storage/config_store — the narrow interface through which the HostManager persists
// configurations. The database-backed implementation lives in this module; the host
// knows only this interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aurite/config/models.hpp"

namespace aurite::storage {

// What a sync did, in rows.
struct SyncCounts {
  std::int64_t inserted = 0;   // names the store did not hold
  std::int64_t updated = 0;    // names whose configuration changed
  std::int64_t unchanged = 0;  // same configuration hash: no row written
  std::int64_t deleted = 0;    // names the project no longer holds (prune only)

  friend bool operator==(const SyncCounts&, const SyncCounts&) = default;
};

// A stored component's bookkeeping, without its configuration.
struct StoredConfigInfo {
  config::ComponentKind kind = config::ComponentKind::kClient;
  std::string name;
  std::string config_hash;
  std::string created_at;    // UTC, ISO-8601 with milliseconds
  std::string last_updated;  // the last time the configuration changed

  friend bool operator==(const StoredConfigInfo&, const StoredConfigInfo&) = default;
};

class ConfigStore {
 public:
  virtual ~ConfigStore() = default;

  // Each save writes one configuration durably before it returns (insert or update by
  // name) and throws aurite::Error when it cannot; a failed save leaves the store as
  // it was. A configuration equal to the stored one (same config_hash) writes nothing,
  // so its last_updated stays; a changed one updates last_updated and keeps created_at.
  // Thread-safe.
  virtual void save_client(const config::ClientConfig& client) = 0;
  virtual void save_llm(const config::LlmConfig& llm) = 0;
  virtual void save_agent(const config::AgentConfig& agent) = 0;
  virtual void save_workflow(const config::WorkflowConfig& workflow) = 0;
  virtual void save_custom_workflow(const config::CustomWorkflowConfig& workflow) = 0;
  virtual void save_graph_workflow(const config::GraphWorkflowConfig& workflow) = 0;

  // Deletes one component durably; returns whether it existed. Throws as the saves do.
  virtual bool delete_config(config::ComponentKind kind, const std::string& name) = 0;
};

// The configuration tables of a database: the write-through seam above, plus whole-project
// sync, load and listing. Kept apart so a host-side store (a test double, a file) need
// only implement the writes. Thread-safe.
class DbConfigStore : public ConfigStore {
 public:
  // Writes every component of `project` by name in ONE transaction: all of it or, when
  // anything fails, none of it (the store is left as it was and the error is thrown).
  // Unchanged configurations write no row. With `prune`, components of a kind that the
  // project does not hold are deleted in the same transaction. The project is expected
  // to be valid (validate first); its name and description are not stored.
  virtual SyncCounts sync_configs(const config::ProjectConfig& project, bool prune) = 0;

  // Every stored component, each kind ordered by name, parsed from the stored JSON so
  // keys this version does not know survive. Not validated (the caller does that);
  // throws ConfigError naming the database when a stored config cannot be parsed.
  // base_dir is left empty.
  virtual config::ProjectConfig load_configs() = 0;

  // Every stored component's bookkeeping, in the order of kComponentKinds, then by name.
  virtual std::vector<StoredConfigInfo> list_configs() = 0;

};

}  // namespace aurite::storage
