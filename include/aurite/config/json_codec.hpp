// config/json_codec — project JSON to models and back.
//
// Parsing is lenient the way the original project files were: numbers and booleans may
// be strings ("0.7", "4096", "True"), null means absent, and the older key names
// (simple_workflows, llm_configs, model_name, api_key_env_var, config_validation_schema)
// are read as their current names, and so are Aurite 0.4's (name for client_id and
// llm_id, mcp_servers, http_endpoint, api_base, an agent's `llm` overrides; a `type`
// naming the kind is accepted). Writing always uses the current names.
// Parsing never throws on bad input: every problem goes into ParseReport::errors with its
// JSON path, and the returned value is meaningful only when there are none.
#pragma once

#include <string>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"

namespace aurite::config {

// A key the reader does not know, kept verbatim in `extra`: most often a typo, so it
// carries the known key of the same object it is closest to.
struct UnknownKey {
  std::string path;        // JSON path, e.g. agents[0].sytem_prompt
  std::string suggestion;  // e.g. system_prompt; "" when no known key is close

  friend bool operator==(const UnknownKey&, const UnknownKey&) = default;
};

// "unknown key (did you mean 'system_prompt'?)", or "unknown key" with no suggestion.
std::string describe(const UnknownKey& key);
// One diagnostic per key, for callers that refuse unknown keys (strict mode, the API).
std::vector<Diagnostic> unknown_key_errors(const std::vector<UnknownKey>& keys);

struct ParseReport {
  std::vector<Diagnostic> errors;
  std::vector<UnknownKey> unknown_keys;
};

// `path` is the JSON path of `json` in its document ("" for a body of its own).
ClientConfig parse_client(const Json& json, const std::string& path, ParseReport& report);
LlmConfig parse_llm(const Json& json, const std::string& path, ParseReport& report);
AgentConfig parse_agent(const Json& json, const std::string& path, ParseReport& report);
WorkflowConfig parse_workflow(const Json& json, const std::string& path, ParseReport& report);
CustomWorkflowConfig parse_custom_workflow(const Json& json, const std::string& path,
                                           ParseReport& report);
GraphWorkflowConfig parse_graph_workflow(const Json& json, const std::string& path, ParseReport& report);
ProjectConfig parse_project(const Json& json, ParseReport& report);

Json to_json(const RootConfig& root);
Json to_json(const ClientConfig& client);
Json to_json(const LlmConfig& llm);
Json to_json(const AgentConfig& agent);
Json to_json(const WorkflowConfig& workflow);
Json to_json(const CustomWorkflowConfig& workflow);
Json to_json(const GraphWorkflowConfig& workflow);
Json to_json(const ProjectConfig& project);

// A client as shown to people and scripts (aurite show, the HTTP API): a header value
// written out literally is masked ("********"), one that names a variable (`${NAME}`)
// is shown as written, since the secret is not in it.
Json to_shown_json(const ClientConfig& client);
Json to_shown_json(const ProjectConfig& project);  // its clients as above
// Every other component is shown as it is stored.
template <typename Component>
Json to_shown_json(const Component& component) {
  return to_json(component);
}
inline constexpr const char* kMaskedValue = "********";

}  // namespace aurite::config
