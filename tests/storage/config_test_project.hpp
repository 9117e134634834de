// A project holding every kind of component, with keys this version does not know, for
// the config store and config source tests.
#pragma once

#include <algorithm>
#include <string>

#include "aurite/config/json_codec.hpp"
#include "aurite/config/models.hpp"
#include "aurite/config/project_file.hpp"

namespace aurite::testing {

inline constexpr const char* kConfigProject = R"({
  "name": "stored",
  "clients": [
    {"client_id": "weather", "command": "weather-server", "args": ["--fast"], "env": {"A": "1"}, "timeout": 12.5,
     "future_field": {"kept": [1, 2]}},
    {"client_id": "files", "server_path": "servers/files.py", "roots": [{"uri": "file:///tmp", "name": "tmp"}]}
  ],
  "llms": [{"llm_id": "offline", "provider": "test", "temperature": 0.7, "max_tokens": 256}],
  "agents": [
    {"name": "Weather Agent", "client_ids": ["weather"], "llm_config_id": "offline", "include_history": true,
     "history_limit": 20, "schema": {"type": "object"}, "x_note": "unknown keys survive"},
    {"name": "Inline", "provider": "test", "model": "m1", "system_prompt": "Be brief.\nTwo lines \"quoted\"."}
  ],
  "workflows": [{"name": "flow", "steps": ["Weather Agent", "Inline"], "description": "two steps"}],
  "custom_workflows": [{"name": "plugin", "module_path": "plugins/libflow.so", "class_name": "Flow"}]
})";

inline config::ProjectConfig test_project() {
  return config::parse_project_text(kConfigProject, "test project", "/tmp").project;
}

// A graph workflow over the agents of kConfigProject: two roots joined by a third node,
// with keys this version does not know on the workflow, a node and an edge.
inline constexpr const char* kGraphWorkflow = R"({
  "type": "graph_workflow", "name": "fan in", "description": "two looks, one answer", "include_history": false,
  "nodes": [{"node_id": "a", "name": "Weather Agent"}, {"node_id": "b", "name": "Inline", "x_pos": 3},
            {"node_id": "join", "name": "Inline", "type": "agent"}],
  "edges": [{"from": "a", "to": "join"}, {"from": "b", "to": "join", "x_label": "second"}],
  "x_layout": {"kept": true}
})";

inline config::GraphWorkflowConfig test_graph_workflow() {
  config::ParseReport report;
  return config::parse_graph_workflow(config::Json::parse(kGraphWorkflow), "", report);
}

// test_project() with test_graph_workflow() added.
inline config::ProjectConfig test_project_with_graph() {
  config::ProjectConfig project = test_project();
  project.graph_workflows.push_back(test_graph_workflow());
  return project;
}

// The components only, each kind sorted by name: what a config store keeps of a project.
inline config::ProjectConfig components_of(config::ProjectConfig project) {
  project.name.reset();
  project.description.reset();
  project.extra = config::Json::object();
  project.base_dir.clear();
  const auto by_name = [](auto& v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return config::name_of(a) < config::name_of(b); });
  };
  by_name(project.clients);
  by_name(project.llms);
  by_name(project.agents);
  by_name(project.workflows);
  by_name(project.custom_workflows);
  by_name(project.graph_workflows);
  return project;
}

}  // namespace aurite::testing
