// storage/config_store — the narrow interface through which the HostManager persists
// configurations. The database-backed implementation lives in this module; the host
// knows only this interface.
#pragma once

#include "aurite/config/models.hpp"

namespace aurite::storage {

class ConfigStore {
 public:
  virtual ~ConfigStore() = default;

  // Each save writes one configuration durably before it returns (insert or update by
  // name) and throws aurite::Error when it cannot; a failed save leaves the store as
  // it was. Thread-safe.
  virtual void save_client(const config::ClientConfig& client) = 0;
  virtual void save_llm(const config::LlmConfig& llm) = 0;
  virtual void save_agent(const config::AgentConfig& agent) = 0;
  virtual void save_workflow(const config::WorkflowConfig& workflow) = 0;
  virtual void save_custom_workflow(const config::CustomWorkflowConfig& workflow) = 0;
};

}  // namespace aurite::storage
