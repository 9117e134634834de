#include "storage/config_rows.hpp"

#include <cstdint>
#include <cstdio>
#include <set>

namespace aurite::storage {
namespace {

using config::ComponentKind;
using config::Json;

Json or_null(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

template <typename T>
ConfigRow make_row(const T& component, Json columns) {
  const Json json = config::to_json(component);
  ConfigRow row{config::name_of(component), config_hash(json), std::move(columns)};
  row.row["name"] = row.name;
  row.row["config"] = json;
  row.row["hash"] = row.hash;
  return row;
}

ConfigRow row_of(const config::ClientConfig& c) {
  return make_row(c, {{"server_path", or_null(c.server_path)}, {"command", or_null(c.command)}});
}
ConfigRow row_of(const config::LlmConfig& c) {
  return make_row(c, {{"provider", c.provider}, {"model", or_null(c.model)}});
}
ConfigRow row_of(const config::AgentConfig& c) {
  return make_row(c, {{"llm_config_id", or_null(c.llm_config_id)},
                      {"provider", or_null(c.provider)},
                      {"model", or_null(c.model)},
                      {"include_history", c.include_history ? Json(*c.include_history) : Json(nullptr)},
                      {"history_limit", c.history_limit ? Json(*c.history_limit) : Json(nullptr)}});
}
ConfigRow row_of(const config::WorkflowConfig& c) { return make_row(c, {{"description", or_null(c.description)}}); }
ConfigRow row_of(const config::CustomWorkflowConfig& c) {
  return make_row(c, {{"module_path", c.module_path},
                      {"class_name", c.class_name},
                      {"description", or_null(c.description)}});
}
ConfigRow row_of(const config::GraphWorkflowConfig& c) {
  return make_row(c, {{"description", or_null(c.description)},
                      {"include_history", c.include_history ? Json(*c.include_history) : Json(nullptr)}});
}

template <typename T>
std::vector<ConfigRow> rows(const std::vector<T>& components) {
  std::vector<ConfigRow> out;
  out.reserve(components.size());
  for (const T& c : components) out.push_back(row_of(c));
  return out;
}

}  // namespace

std::string config_hash(const config::Json& config_json) {
  const std::string text = config_json.dump();  // nlohmann objects keep keys sorted
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

std::vector<ConfigRow> rows_of(const config::ProjectConfig& project, ComponentKind kind) {
  return config::visit_components(project, kind, [](const auto& items) { return rows(items); });
}

KindPlan plan_kind(const std::vector<ConfigRow>& wanted, const std::map<std::string, std::string>& stored,
                   bool prune, SyncCounts& counts) {
  KindPlan plan;
  std::set<std::string> names;
  for (const ConfigRow& row : wanted) {
    names.insert(row.name);
    const auto found = stored.find(row.name);
    if (found == stored.end()) {
      ++counts.inserted;
    } else if (found->second != row.hash) {
      ++counts.updated;
    } else {
      ++counts.unchanged;
      continue;
    }
    plan.upserts.push_back(row.row);
  }
  if (prune) {
    for (const auto& [name, hash] : stored) {
      if (names.contains(name)) continue;
      plan.deletes.push_back(name);
      ++counts.deleted;
    }
  }
  return plan;
}

void add_stored(config::ProjectConfig& project, ComponentKind kind, const std::string& name,
                const std::string& config_text, std::vector<Diagnostic>& errors) {
  const std::string path = std::string(config::kind_key(kind)) + "[" + name + "]";
  const Json json = Json::parse(config_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    errors.push_back({path, "the stored configuration is not valid JSON"});
    return;
  }
  config::ParseReport report;
  switch (kind) {
    case ComponentKind::kClient: project.clients.push_back(config::parse_client(json, path, report)); break;
    case ComponentKind::kLlm: project.llms.push_back(config::parse_llm(json, path, report)); break;
    case ComponentKind::kAgent: project.agents.push_back(config::parse_agent(json, path, report)); break;
    case ComponentKind::kWorkflow: project.workflows.push_back(config::parse_workflow(json, path, report)); break;
    case ComponentKind::kCustomWorkflow:
      project.custom_workflows.push_back(config::parse_custom_workflow(json, path, report));
      break;
    case ComponentKind::kGraphWorkflow:
      project.graph_workflows.push_back(config::parse_graph_workflow(json, path, report));
      break;
  }
  errors.insert(errors.end(), report.errors.begin(), report.errors.end());
}

config::ProjectConfig project_of(const config::ClientConfig& client) {
  config::ProjectConfig p;
  p.clients.push_back(client);
  return p;
}
config::ProjectConfig project_of(const config::LlmConfig& llm) {
  config::ProjectConfig p;
  p.llms.push_back(llm);
  return p;
}
config::ProjectConfig project_of(const config::AgentConfig& agent) {
  config::ProjectConfig p;
  p.agents.push_back(agent);
  return p;
}
config::ProjectConfig project_of(const config::WorkflowConfig& workflow) {
  config::ProjectConfig p;
  p.workflows.push_back(workflow);
  return p;
}
config::ProjectConfig project_of(const config::GraphWorkflowConfig& workflow) {
  config::ProjectConfig p;
  p.graph_workflows.push_back(workflow);
  return p;
}

config::ProjectConfig project_of(const config::CustomWorkflowConfig& workflow) {
  config::ProjectConfig p;
  p.custom_workflows.push_back(workflow);
  return p;
}

}  // namespace aurite::storage
