// What the config tables hold, independent of the database: a component as a row (its
// canonical JSON, its hash and the queryable columns), the plan that turns a project into
// the rows to write, and stored JSON back into a component. Both backends run the plan.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aurite/config/json_codec.hpp"
#include "aurite/storage/config_store.hpp"

namespace aurite::storage {

// One component as its table stores it. `row` is the JSON object a batch statement
// reads: {"name", "config" (the config as JSON), "hash", then the queryable columns}.
struct ConfigRow {
  std::string name;
  std::string hash;
  config::Json row;
};

// The canonical JSON text of a config (sorted keys, no spaces) and its hash: a 64-bit
// FNV-1a in hex, a change detector (not a security measure).
std::string config_hash(const config::Json& config_json);

// The rows of one kind of component in `project`.
std::vector<ConfigRow> rows_of(const config::ProjectConfig& project, config::ComponentKind kind);

// The writes that take a table holding `stored` (name -> hash) to `wanted`: rows to
// upsert as one JSON array, names to delete as one JSON array (prune only). Adds to
// `counts`.
struct KindPlan {
  config::Json upserts = config::Json::array();
  config::Json deletes = config::Json::array();
};
KindPlan plan_kind(const std::vector<ConfigRow>& wanted, const std::map<std::string, std::string>& stored,
                   bool prune, SyncCounts& counts);

// Parses stored JSON text as a component of `kind` into `project`; problems go into
// `errors` with the path "<kind key>[name]".
void add_stored(config::ProjectConfig& project, config::ComponentKind kind, const std::string& name,
                const std::string& config_text, std::vector<Diagnostic>& errors);

// A project holding only `component`, for the single saves.
config::ProjectConfig project_of(const config::ClientConfig& client);
config::ProjectConfig project_of(const config::LlmConfig& llm);
config::ProjectConfig project_of(const config::AgentConfig& agent);
config::ProjectConfig project_of(const config::WorkflowConfig& workflow);
config::ProjectConfig project_of(const config::CustomWorkflowConfig& workflow);
config::ProjectConfig project_of(const config::GraphWorkflowConfig& workflow);

}  // namespace aurite::storage
