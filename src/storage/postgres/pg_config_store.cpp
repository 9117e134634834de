// PgBackend as a ConfigStore: each table is written by one batch statement that reads its
// rows from a JSONB array parameter, inside one transaction; concurrent syncs are
// serialised by an advisory lock so the hashes read stay current until commit.
#include "storage/config_rows.hpp"
#include "storage/postgres/pg_backend.hpp"

namespace aurite::storage::postgres {
namespace {

using config::ComponentKind;

constexpr const char* kConfigLockKey = "7214093822150118";
constexpr Query kLockConfigs{"lock_configs", "SELECT pg_advisory_xact_lock($1::bigint)"};

#define AURITE_ISO(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

struct ConfigSql {
  ComponentKind kind;
  Query select_hashes;
  Query select_configs;
  Query select_info;
  Query upsert;        // $1: JSON array of rows (config_rows.hpp)
  Query delete_names;  // $1: JSON array of names
};

// In the order of config::kComponentKinds, which is the order a sync writes them.
constexpr ConfigSql kTables[] = {
    {ComponentKind::kClient,
     {"client_hashes", "SELECT name, config_hash FROM client_configs ORDER BY name"},
     {"client_configs", "SELECT name, config::text FROM client_configs ORDER BY name"},
     {"client_info", "SELECT name, config_hash, " AURITE_ISO("created_at") ", " AURITE_ISO("last_updated")
      " FROM client_configs ORDER BY name"},
     {"upsert_clients",
      "INSERT INTO client_configs AS t (name, config, server_path, command, config_hash)"
      " SELECT r->>'name', r->'config', r->>'server_path', r->>'command', r->>'hash'"
      " FROM jsonb_array_elements($1::jsonb) AS r"
      " ON CONFLICT (name) DO UPDATE SET config = excluded.config, server_path = excluded.server_path,"
      "  command = excluded.command, config_hash = excluded.config_hash, last_updated = now()"
      " WHERE t.config_hash <> excluded.config_hash"},
     {"delete_clients",
      "DELETE FROM client_configs WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))"}},
    {ComponentKind::kLlm,
     {"llm_hashes", "SELECT name, config_hash FROM llm_configs ORDER BY name"},
     {"llm_configs", "SELECT name, config::text FROM llm_configs ORDER BY name"},
     {"llm_info", "SELECT name, config_hash, " AURITE_ISO("created_at") ", " AURITE_ISO("last_updated")
      " FROM llm_configs ORDER BY name"},
     {"upsert_llms",
      "INSERT INTO llm_configs AS t (name, config, provider, model, config_hash)"
      " SELECT r->>'name', r->'config', r->>'provider', r->>'model', r->>'hash'"
      " FROM jsonb_array_elements($1::jsonb) AS r"
      " ON CONFLICT (name) DO UPDATE SET config = excluded.config, provider = excluded.provider,"
      "  model = excluded.model, config_hash = excluded.config_hash, last_updated = now()"
      " WHERE t.config_hash <> excluded.config_hash"},
     {"delete_llms", "DELETE FROM llm_configs WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))"}},
    {ComponentKind::kAgent,
     {"agent_hashes", "SELECT name, config_hash FROM agent_configs ORDER BY name"},
     {"agent_configs", "SELECT name, config::text FROM agent_configs ORDER BY name"},
     {"agent_info", "SELECT name, config_hash, " AURITE_ISO("created_at") ", " AURITE_ISO("last_updated")
      " FROM agent_configs ORDER BY name"},
     {"upsert_agents",
      "INSERT INTO agent_configs AS t (name, config, llm_config_id, provider, model, include_history,"
      "  history_limit, config_hash)"
      " SELECT r->>'name', r->'config', r->>'llm_config_id', r->>'provider', r->>'model',"
      "  (r->>'include_history')::boolean, (r->>'history_limit')::bigint, r->>'hash'"
      " FROM jsonb_array_elements($1::jsonb) AS r"
      " ON CONFLICT (name) DO UPDATE SET config = excluded.config, llm_config_id = excluded.llm_config_id,"
      "  provider = excluded.provider, model = excluded.model, include_history = excluded.include_history,"
      "  history_limit = excluded.history_limit, config_hash = excluded.config_hash, last_updated = now()"
      " WHERE t.config_hash <> excluded.config_hash"},
     {"delete_agents", "DELETE FROM agent_configs WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))"}},
    {ComponentKind::kWorkflow,
     {"workflow_hashes", "SELECT name, config_hash FROM workflow_configs ORDER BY name"},
     {"workflow_configs", "SELECT name, config::text FROM workflow_configs ORDER BY name"},
     {"workflow_info", "SELECT name, config_hash, " AURITE_ISO("created_at") ", " AURITE_ISO("last_updated")
      " FROM workflow_configs ORDER BY name"},
     {"upsert_workflows",
      "INSERT INTO workflow_configs AS t (name, config, description, config_hash)"
      " SELECT r->>'name', r->'config', r->>'description', r->>'hash'"
      " FROM jsonb_array_elements($1::jsonb) AS r"
      " ON CONFLICT (name) DO UPDATE SET config = excluded.config, description = excluded.description,"
      "  config_hash = excluded.config_hash, last_updated = now()"
      " WHERE t.config_hash <> excluded.config_hash"},
     {"delete_workflows",
      "DELETE FROM workflow_configs WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))"}},
    {ComponentKind::kCustomWorkflow,
     {"custom_workflow_hashes", "SELECT name, config_hash FROM custom_workflow_configs ORDER BY name"},
     {"custom_workflow_configs", "SELECT name, config::text FROM custom_workflow_configs ORDER BY name"},
     {"custom_workflow_info", "SELECT name, config_hash, " AURITE_ISO("created_at") ", " AURITE_ISO("last_updated")
      " FROM custom_workflow_configs ORDER BY name"},
     {"upsert_custom_workflows",
      "INSERT INTO custom_workflow_configs AS t (name, config, module_path, class_name, description,"
      "  config_hash)"
      " SELECT r->>'name', r->'config', r->>'module_path', r->>'class_name', r->>'description', r->>'hash'"
      " FROM jsonb_array_elements($1::jsonb) AS r"
      " ON CONFLICT (name) DO UPDATE SET config = excluded.config, module_path = excluded.module_path,"
      "  class_name = excluded.class_name, description = excluded.description,"
      "  config_hash = excluded.config_hash, last_updated = now()"
      " WHERE t.config_hash <> excluded.config_hash"},
     {"delete_custom_workflows",
      "DELETE FROM custom_workflow_configs WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))"}},
    {ComponentKind::kGraphWorkflow,
     {"graph_workflow_hashes", "SELECT name, config_hash FROM graph_workflow_configs ORDER BY name"},
     {"graph_workflow_configs", "SELECT name, config::text FROM graph_workflow_configs ORDER BY name"},
     {"graph_workflow_info", "SELECT name, config_hash, " AURITE_ISO("created_at") ", " AURITE_ISO("last_updated")
      " FROM graph_workflow_configs ORDER BY name"},
     {"upsert_graph_workflows",
      "INSERT INTO graph_workflow_configs AS t (name, config, description, include_history, config_hash)"
      " SELECT r->>'name', r->'config', r->>'description', (r->>'include_history')::boolean, r->>'hash'"
      " FROM jsonb_array_elements($1::jsonb) AS r"
      " ON CONFLICT (name) DO UPDATE SET config = excluded.config, description = excluded.description,"
      "  include_history = excluded.include_history, config_hash = excluded.config_hash, last_updated = now()"
      " WHERE t.config_hash <> excluded.config_hash"},
     {"delete_graph_workflows",
      "DELETE FROM graph_workflow_configs WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))"}},
};

#undef AURITE_ISO

const ConfigSql& table_of(ComponentKind kind) {
  for (const ConfigSql& table : kTables) {
    if (table.kind == kind) return table;
  }
  throw Error(ErrorCode::kInternal, "no table for a component kind");
}

}  // namespace

SyncCounts PgBackend::sync_configs(const config::ProjectConfig& project, bool prune) {
  std::vector<std::vector<ConfigRow>> wanted;
  for (const ConfigSql& table : kTables) wanted.push_back(rows_of(project, table.kind));
  // Safe to repeat on a new connection: a lost connection means the transaction did not
  // commit (or committed, and the repeat then finds every hash unchanged).
  return with_connection(true, [&](Connection& conn) {
    SyncCounts counts;
    Transaction tx(conn);
    conn.exec(kLockConfigs, {std::string(kConfigLockKey)});
    for (std::size_t i = 0; i < std::size(kTables); ++i) {
      const ConfigSql& table = kTables[i];
      if (wanted[i].empty() && !prune) continue;
      std::map<std::string, std::string> stored;
      const Result rows = conn.exec(table.select_hashes);
      for (int row = 0; row < PQntuples(rows.get()); ++row) stored.emplace(text_at(rows, row, 0), text_at(rows, row, 1));
      const KindPlan plan = plan_kind(wanted[i], stored, prune, counts);
      if (!plan.upserts.empty()) conn.exec(table.upsert, {plan.upserts.dump()});
      if (!plan.deletes.empty()) conn.exec(table.delete_names, {plan.deletes.dump()});
    }
    tx.commit();
    return counts;
  });
}

config::ProjectConfig PgBackend::load_configs() {
  return with_connection(true, [&](Connection& conn) {
    config::ProjectConfig project;
    std::vector<Diagnostic> errors;
    for (const ConfigSql& table : kTables) {
      const Result rows = conn.exec(table.select_configs);
      for (int row = 0; row < PQntuples(rows.get()); ++row) {
        add_stored(project, table.kind, text_at(rows, row, 0), text_at(rows, row, 1), errors);
      }
    }
    if (!errors.empty()) throw ConfigError(conn.where(), std::move(errors));
    return project;
  });
}

std::vector<StoredConfigInfo> PgBackend::list_configs() {
  return with_connection(true, [&](Connection& conn) {
    std::vector<StoredConfigInfo> out;
    for (const ConfigSql& table : kTables) {
      const Result rows = conn.exec(table.select_info);
      for (int row = 0; row < PQntuples(rows.get()); ++row) {
        out.push_back({table.kind, text_at(rows, row, 0), text_at(rows, row, 1), text_at(rows, row, 2),
                       text_at(rows, row, 3)});
      }
    }
    return out;
  });
}

bool PgBackend::delete_config(config::ComponentKind kind, const std::string& name) {
  const std::string names = config::Json::array({name}).dump();
  return with_connection(true, [&](Connection& conn) {
    const Result result = conn.exec(table_of(kind).delete_names, {names});
    const char* affected = PQcmdTuples(result.get());
    return affected != nullptr && std::string(affected) != "0" && std::string(affected) != "";
  });
}

void PgBackend::save_client(const config::ClientConfig& c) { sync_configs(project_of(c), false); }
void PgBackend::save_llm(const config::LlmConfig& c) { sync_configs(project_of(c), false); }
void PgBackend::save_agent(const config::AgentConfig& c) { sync_configs(project_of(c), false); }
void PgBackend::save_workflow(const config::WorkflowConfig& c) { sync_configs(project_of(c), false); }
void PgBackend::save_custom_workflow(const config::CustomWorkflowConfig& c) { sync_configs(project_of(c), false); }
void PgBackend::save_graph_workflow(const config::GraphWorkflowConfig& c) { sync_configs(project_of(c), false); }

}  // namespace aurite::storage::postgres
