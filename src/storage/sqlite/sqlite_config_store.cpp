// SqliteBackend as a ConfigStore: each table is written by one batch statement that reads
// its rows from a JSON array parameter (json_each), inside one BEGIN IMMEDIATE transaction.
#include "aurite/common/error.hpp"
#include "storage/config_rows.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace aurite::storage::sqlite {
namespace {

using config::ComponentKind;

#define AURITE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

struct ConfigSql {
  ComponentKind kind;
  const char* select_hashes;
  const char* select_configs;
  const char* select_info;
  const char* upsert;        // ?1: JSON array of rows (config_rows.hpp)
  const char* delete_names;  // ?1: JSON array of names
};

// In the order of config::kComponentKinds, which is the order a sync writes them.
constexpr ConfigSql kTables[] = {
    {ComponentKind::kClient, "SELECT name, config_hash FROM client_configs ORDER BY name",
     "SELECT name, config FROM client_configs ORDER BY name",
     "SELECT name, config_hash, created_at, last_updated FROM client_configs ORDER BY name",
     "INSERT INTO client_configs (name, config, server_path, command, config_hash)"
     " SELECT json_extract(value, '$.name'), json_extract(value, '$.config'),"
     "  json_extract(value, '$.server_path'), json_extract(value, '$.command'), json_extract(value, '$.hash')"
     " FROM json_each(?1) WHERE true"
     " ON CONFLICT (name) DO UPDATE SET config = excluded.config, server_path = excluded.server_path,"
     "  command = excluded.command, config_hash = excluded.config_hash, last_updated = " AURITE_NOW
     " WHERE client_configs.config_hash <> excluded.config_hash",
     "DELETE FROM client_configs WHERE name IN (SELECT value FROM json_each(?1))"},
    {ComponentKind::kLlm, "SELECT name, config_hash FROM llm_configs ORDER BY name",
     "SELECT name, config FROM llm_configs ORDER BY name",
     "SELECT name, config_hash, created_at, last_updated FROM llm_configs ORDER BY name",
     "INSERT INTO llm_configs (name, config, provider, model, config_hash)"
     " SELECT json_extract(value, '$.name'), json_extract(value, '$.config'),"
     "  json_extract(value, '$.provider'), json_extract(value, '$.model'), json_extract(value, '$.hash')"
     " FROM json_each(?1) WHERE true"
     " ON CONFLICT (name) DO UPDATE SET config = excluded.config, provider = excluded.provider,"
     "  model = excluded.model, config_hash = excluded.config_hash, last_updated = " AURITE_NOW
     " WHERE llm_configs.config_hash <> excluded.config_hash",
     "DELETE FROM llm_configs WHERE name IN (SELECT value FROM json_each(?1))"},
    {ComponentKind::kAgent, "SELECT name, config_hash FROM agent_configs ORDER BY name",
     "SELECT name, config FROM agent_configs ORDER BY name",
     "SELECT name, config_hash, created_at, last_updated FROM agent_configs ORDER BY name",
     "INSERT INTO agent_configs (name, config, llm_config_id, provider, model, include_history,"
     "  history_limit, config_hash)"
     " SELECT json_extract(value, '$.name'), json_extract(value, '$.config'),"
     "  json_extract(value, '$.llm_config_id'), json_extract(value, '$.provider'),"
     "  json_extract(value, '$.model'), json_extract(value, '$.include_history'),"
     "  json_extract(value, '$.history_limit'), json_extract(value, '$.hash')"
     " FROM json_each(?1) WHERE true"
     " ON CONFLICT (name) DO UPDATE SET config = excluded.config, llm_config_id = excluded.llm_config_id,"
     "  provider = excluded.provider, model = excluded.model, include_history = excluded.include_history,"
     "  history_limit = excluded.history_limit, config_hash = excluded.config_hash, last_updated = " AURITE_NOW
     " WHERE agent_configs.config_hash <> excluded.config_hash",
     "DELETE FROM agent_configs WHERE name IN (SELECT value FROM json_each(?1))"},
    {ComponentKind::kWorkflow, "SELECT name, config_hash FROM workflow_configs ORDER BY name",
     "SELECT name, config FROM workflow_configs ORDER BY name",
     "SELECT name, config_hash, created_at, last_updated FROM workflow_configs ORDER BY name",
     "INSERT INTO workflow_configs (name, config, description, config_hash)"
     " SELECT json_extract(value, '$.name'), json_extract(value, '$.config'),"
     "  json_extract(value, '$.description'), json_extract(value, '$.hash')"
     " FROM json_each(?1) WHERE true"
     " ON CONFLICT (name) DO UPDATE SET config = excluded.config, description = excluded.description,"
     "  config_hash = excluded.config_hash, last_updated = " AURITE_NOW
     " WHERE workflow_configs.config_hash <> excluded.config_hash",
     "DELETE FROM workflow_configs WHERE name IN (SELECT value FROM json_each(?1))"},
    {ComponentKind::kCustomWorkflow, "SELECT name, config_hash FROM custom_workflow_configs ORDER BY name",
     "SELECT name, config FROM custom_workflow_configs ORDER BY name",
     "SELECT name, config_hash, created_at, last_updated FROM custom_workflow_configs ORDER BY name",
     "INSERT INTO custom_workflow_configs (name, config, module_path, class_name, description, config_hash)"
     " SELECT json_extract(value, '$.name'), json_extract(value, '$.config'),"
     "  json_extract(value, '$.module_path'), json_extract(value, '$.class_name'),"
     "  json_extract(value, '$.description'), json_extract(value, '$.hash')"
     " FROM json_each(?1) WHERE true"
     " ON CONFLICT (name) DO UPDATE SET config = excluded.config, module_path = excluded.module_path,"
     "  class_name = excluded.class_name, description = excluded.description,"
     "  config_hash = excluded.config_hash, last_updated = " AURITE_NOW
     " WHERE custom_workflow_configs.config_hash <> excluded.config_hash",
     "DELETE FROM custom_workflow_configs WHERE name IN (SELECT value FROM json_each(?1))"},
    {ComponentKind::kGraphWorkflow, "SELECT name, config_hash FROM graph_workflow_configs ORDER BY name",
     "SELECT name, config FROM graph_workflow_configs ORDER BY name",
     "SELECT name, config_hash, created_at, last_updated FROM graph_workflow_configs ORDER BY name",
     "INSERT INTO graph_workflow_configs (name, config, description, include_history, config_hash)"
     " SELECT json_extract(value, '$.name'), json_extract(value, '$.config'),"
     "  json_extract(value, '$.description'), json_extract(value, '$.include_history'),"
     "  json_extract(value, '$.hash')"
     " FROM json_each(?1) WHERE true"
     " ON CONFLICT (name) DO UPDATE SET config = excluded.config, description = excluded.description,"
     "  include_history = excluded.include_history, config_hash = excluded.config_hash,"
     "  last_updated = " AURITE_NOW
     " WHERE graph_workflow_configs.config_hash <> excluded.config_hash",
     "DELETE FROM graph_workflow_configs WHERE name IN (SELECT value FROM json_each(?1))"},
};

#undef AURITE_NOW

const ConfigSql& table_of(ComponentKind kind) {
  for (const ConfigSql& table : kTables) {
    if (table.kind == kind) return table;
  }
  throw Error(ErrorCode::kInternal, "no table for a component kind");
}

}  // namespace

SyncCounts SqliteBackend::sync_configs(const config::ProjectConfig& project, bool prune) {
  SyncCounts counts;
  std::lock_guard lock(mutex_);
  Transaction tx(db_);  // the write lock: hashes read here stay current until commit
  for (const ConfigSql& table : kTables) {
    std::vector<ConfigRow> wanted = rows_of(project, table.kind);
    if (wanted.empty() && !prune) continue;
    std::map<std::string, std::string> stored;
    {
      auto select = db_.cached(table.select_hashes);
      while (select->step()) stored.emplace(select->column_text(0), select->column_text(1));
    }
    const KindPlan plan = plan_kind(wanted, stored, prune, counts);
    if (!plan.upserts.empty()) {
      auto upsert = db_.cached(table.upsert);
      upsert->bind(1, plan.upserts.dump());
      upsert->step();
    }
    if (!plan.deletes.empty()) {
      auto remove = db_.cached(table.delete_names);
      remove->bind(1, plan.deletes.dump());
      remove->step();
    }
  }
  tx.commit();
  return counts;
}

config::ProjectConfig SqliteBackend::load_configs() {
  config::ProjectConfig project;
  std::vector<Diagnostic> errors;
  std::lock_guard lock(mutex_);
  for (const ConfigSql& table : kTables) {
    auto select = db_.cached(table.select_configs);
    while (select->step()) add_stored(project, table.kind, select->column_text(0), select->column_text(1), errors);
  }
  if (!errors.empty()) throw ConfigError(db_.where(), std::move(errors));
  return project;
}

std::vector<StoredConfigInfo> SqliteBackend::list_configs() {
  std::vector<StoredConfigInfo> out;
  std::lock_guard lock(mutex_);
  for (const ConfigSql& table : kTables) {
    auto select = db_.cached(table.select_info);
    while (select->step()) {
      out.push_back({table.kind, select->column_text(0), select->column_text(1), select->column_text(2),
                     select->column_text(3)});
    }
  }
  return out;
}

bool SqliteBackend::delete_config(config::ComponentKind kind, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto remove = db_.cached(table_of(kind).delete_names);
  remove->bind(1, config::Json::array({name}).dump());
  remove->step();
  return sqlite3_changes(db_.handle()) > 0;
}

void SqliteBackend::save_client(const config::ClientConfig& c) { sync_configs(project_of(c), false); }
void SqliteBackend::save_llm(const config::LlmConfig& c) { sync_configs(project_of(c), false); }
void SqliteBackend::save_agent(const config::AgentConfig& c) { sync_configs(project_of(c), false); }
void SqliteBackend::save_workflow(const config::WorkflowConfig& c) { sync_configs(project_of(c), false); }
void SqliteBackend::save_custom_workflow(const config::CustomWorkflowConfig& c) {
  sync_configs(project_of(c), false);
}
void SqliteBackend::save_graph_workflow(const config::GraphWorkflowConfig& c) { sync_configs(project_of(c), false); }

}  // namespace aurite::storage::sqlite
