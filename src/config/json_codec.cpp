#include "aurite/config/json_codec.hpp"

#include <fmt/format.h>

#include "config/field_reader.hpp"

namespace aurite::config {
namespace {

using detail::FieldReader;
using detail::index_path;

template <typename T>
void put(Json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

template <typename T>
void put(Json& out, const char* key, const std::vector<T>& values) {
  if (!values.empty()) out[key] = values;
}

// Unknown keys go back first so that a known key always wins on write.
Json start_with(const Json& extra) { return extra.is_object() ? extra : Json::object(); }

void put(Json& out, const char* key, const std::optional<ApprovalRule>& rule) {
  if (!rule) return;
  switch (rule->mode) {
    case ApprovalRule::Mode::kNone: out[key] = false; break;
    case ApprovalRule::Mode::kAll: out[key] = true; break;
    case ApprovalRule::Mode::kDestructive: out[key] = "destructive"; break;
    case ApprovalRule::Mode::kTools: out[key] = rule->tools; break;
  }
}

template <typename T, typename Parse>
std::vector<T> parse_array(FieldReader& reader, std::initializer_list<std::string> keys, Parse parse,
                           ParseReport& report) {
  std::vector<T> out;
  const auto field = reader.raw(keys);
  if (!field) return out;
  const auto& [array, path] = *field;
  if (!array->is_array()) {
    reader.error(path, "expected an array, got " + detail::describe_type(*array));
    return out;
  }
  out.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    out.push_back(parse((*array)[i], index_path(path, i), report));
  }
  return out;
}

RootConfig parse_root(const Json& json, const std::string& path, ParseReport& report) {
  RootConfig root;
  FieldReader reader(json, path, report);
  root.uri = reader.string({"uri"}, true).value_or("");
  root.name = reader.string({"name"});
  root.capabilities = reader.string_list({"capabilities"});
  root.extra = reader.take_unknown();
  return root;
}

// `true`/`false` or a list of variable names; the names are checked by validation.
// Aurite 0.4 component files and API bodies may say what a component is ("type":
// "agent"); one that says something else is in the wrong place.
void read_type(FieldReader& reader, std::string_view expected) {
  const auto type = reader.string({"type"});
  if (type && *type != expected) {
    reader.error(detail::key_path(reader.path(), "type"),
                 fmt::format("is '{}', expected '{}' here", *type, expected));
  }
}

WorkflowStep parse_step(const Json& json, const std::string& path, ParseReport& report) {
  if (json.is_string()) return WorkflowStep(json.get<std::string>());
  WorkflowStep step;
  FieldReader reader(json, path, report);
  if (!reader.ok()) return step;
  step.name = reader.string({"name"}, true).value_or("");
  step.type = reader.string({"type"});
  reader.take_unknown();
  return step;
}

GraphNode parse_node(const Json& json, const std::string& path, ParseReport& report) {
  GraphNode node;
  FieldReader reader(json, path, report);
  node.node_id = reader.string({"node_id"}, true).value_or("");
  node.name = reader.string({"name"}, true).value_or("");
  node.type = reader.string({"type"}).value_or("agent");
  node.extra = reader.take_unknown();
  return node;
}

GraphEdge parse_edge(const Json& json, const std::string& path, ParseReport& report) {
  GraphEdge edge;
  FieldReader reader(json, path, report);
  edge.from = reader.string({"from"}, true).value_or("");
  edge.to = reader.string({"to"}, true).value_or("");
  edge.extra = reader.take_unknown();
  return edge;
}

// An agent's `llm` object (Aurite 0.4): overrides of its llm, read into the agent's own
// fields; a field the agent sets itself wins, as there.
void read_llm_overrides(FieldReader& agent_reader, AgentConfig& agent, ParseReport& report) {
  const auto field = agent_reader.raw({"llm"});
  if (!field) return;
  FieldReader reader(*field->first, field->second, report);
  if (!reader.ok()) return;
  const auto fill = [](auto& target, auto value) {
    if (!target && value) target = std::move(value);
  };
  fill(agent.model, reader.string({"model"}));
  fill(agent.temperature, reader.number({"temperature"}));
  fill(agent.max_tokens, reader.integer({"max_tokens"}));
  fill(agent.system_prompt, reader.string({"system_prompt"}));
  fill(agent.base_url, reader.string({"api_base", "base_url"}));
  if (reader.string({"api_key"})) {
    reader.error(detail::key_path(reader.path(), "api_key"),
                 "a key is not kept in a project: put it in an environment variable and name that "
                 "variable in the llm's api_key_env_var");
  }
  fill(agent.api_version, reader.string({"api_version"}));
  reader.take_unknown();
}

// Aurite 0.4 fields nothing here uses, read so they are not taken for typos and kept
// as written (the loader of 0.4 projects says what is not done with them).
Json keep_as_written(FieldReader& reader, std::initializer_list<std::string> keys) {
  Json kept = Json::object();
  for (const auto& key : keys) {
    if (const auto field = reader.raw({key})) kept[key] = *field->first;
  }
  return kept;
}

InheritEnv parse_inherit_env(FieldReader& reader) {
  InheritEnv inherit;
  const auto field = reader.raw({"inherit_env"});
  if (!field) return inherit;
  const auto& [value, path] = *field;
  if (value->is_array()) {
    inherit.names = reader.string_list({"inherit_env"});
  } else if (value->is_boolean() || value->is_string()) {
    inherit.all = reader.boolean({"inherit_env"}).value_or(false);
  } else {
    reader.error(path, "expected true, false or an array of variable names, got " + detail::describe_type(*value));
  }
  return inherit;
}

}  // namespace

std::string describe(const UnknownKey& key) {
  if (key.suggestion.empty()) return "unknown key";
  return "unknown key (did you mean '" + key.suggestion + "'?)";
}

std::vector<Diagnostic> unknown_key_errors(const std::vector<UnknownKey>& keys) {
  std::vector<Diagnostic> out;
  out.reserve(keys.size());
  for (const auto& key : keys) out.push_back({key.path, describe(key)});
  return out;
}

std::optional<ClientAuthConfig> parse_client_auth(FieldReader& parent, ParseReport& report) {
  const auto raw = parent.raw({"auth"});
  if (!raw) return std::nullopt;
  FieldReader reader(*raw->first, raw->second, report);
  if (!reader.ok()) return std::nullopt;
  ClientAuthConfig auth;
  auth.type = reader.string({"type"}, true).value_or("");
  auth.grant = reader.string({"grant"}).value_or(auth.grant);
  auth.scopes = reader.string_list({"scopes"});
  auth.client_id = reader.string({"client_id"});
  auth.client_secret_env = reader.string({"client_secret_env"});
  auth.private_key_file = reader.string({"private_key_file"});
  auth.client_metadata_url = reader.string({"client_metadata_url"});
  auth.redirect_port = reader.integer({"redirect_port"});
  reader.take_unknown();
  return auth;
}

std::optional<ApprovalRule> parse_approval_rule(FieldReader& reader) {
  const auto found = reader.raw({"require_approval"});
  if (!found) return std::nullopt;
  const auto& [value, path] = *found;
  constexpr const char* kExpected = "must be true, false, \"destructive\" or a list of tool names";
  ApprovalRule rule;
  if (value->is_boolean()) {
    rule.mode = value->get<bool>() ? ApprovalRule::Mode::kAll : ApprovalRule::Mode::kNone;
  } else if (value->is_string()) {
    if (value->get<std::string>() != "destructive") {
      reader.error(path, fmt::format("{} (got \"{}\")", kExpected, value->get<std::string>()));
      return std::nullopt;
    }
    rule.mode = ApprovalRule::Mode::kDestructive;
  } else if (value->is_array()) {
    rule.mode = ApprovalRule::Mode::kTools;
    for (std::size_t i = 0; i < value->size(); ++i) {
      const Json& tool = (*value)[i];
      if (!tool.is_string() || tool.get<std::string>().empty()) {
        reader.error(fmt::format("{}[{}]", path, i), "must be a tool name or a glob (a non-empty string)");
        return std::nullopt;
      }
      rule.tools.push_back(tool.get<std::string>());
    }
  } else {
    reader.error(path, kExpected);
    return std::nullopt;
  }
  return rule;
}

ClientConfig parse_client(const Json& json, const std::string& path, ParseReport& report) {
  ClientConfig client;
  FieldReader reader(json, path, report);
  read_type(reader, "mcp_server");
  client.client_id = reader.string({"client_id", "name"}, true).value_or("");
  client.description = reader.string({"description"});
  client.transport_type = reader.string({"transport_type"});
  client.server_path = reader.string({"server_path"});
  client.command = reader.string({"command"});
  client.args = reader.string_list({"args"});
  client.url = reader.string({"url", "http_endpoint"});
  client.headers = reader.string_map({"headers"});
  client.ca_file = reader.string({"ca_file"});
  client.auth = parse_client_auth(reader, report);
  client.env = reader.string_map({"env"});
  client.inherit_env = parse_inherit_env(reader);
  client.capabilities = reader.string_list({"capabilities"});
  client.roots = parse_array<RootConfig>(reader, {"roots"}, parse_root, report);
  client.timeout = reader.number({"timeout"});
  client.max_total_timeout = reader.number({"max_total_timeout"});
  client.registration_timeout = reader.number({"registration_timeout"});
  client.log_level = reader.string({"log_level"});
  client.routing_weight = reader.number({"routing_weight"});
  client.exclude = reader.string_list({"exclude"});
  client.optional = reader.boolean({"optional"});
  client.require_approval = parse_approval_rule(reader);
  client.max_result_chars = reader.integer({"max_result_chars"});
  client.tool_prefix = reader.string({"tool_prefix"});
  client.extra = reader.take_unknown();
  return client;
}

// Both rates are required: a price with one of them missing would quietly cost nothing.
std::optional<Pricing> parse_pricing(FieldReader& parent, ParseReport& report) {
  const auto raw = parent.raw({"pricing"});
  if (!raw) return std::nullopt;
  FieldReader reader(*raw->first, raw->second, report);
  if (!reader.ok()) return std::nullopt;
  Pricing pricing;
  const auto rate = [&](const char* key, double& into) {
    if (const auto value = reader.number({key})) {
      into = *value;
    } else if (const auto it = raw->first->find(key); it == raw->first->end() || it->is_null()) {
      reader.error(detail::key_path(reader.path(), key), "required (US dollars per million tokens)");
    }
  };
  rate("input_per_mtok", pricing.input_per_mtok);
  rate("output_per_mtok", pricing.output_per_mtok);
  pricing.cache_read_per_mtok = reader.number({"cache_read_per_mtok"});
  pricing.cache_write_per_mtok = reader.number({"cache_write_per_mtok"});
  reader.take_unknown();
  return pricing;
}

LlmConfig parse_llm(const Json& json, const std::string& path, ParseReport& report) {
  LlmConfig llm;
  FieldReader reader(json, path, report);
  read_type(reader, "llm");
  llm.llm_id = reader.string({"llm_id", "name"}, true).value_or("");
  llm.description = reader.string({"description"});
  llm.provider = reader.string({"provider"}, true).value_or("");
  llm.model = reader.string({"model", "model_name"});
  llm.base_url = reader.string({"base_url", "api_base"});
  llm.api_key_env = reader.string({"api_key_env", "api_key_env_var"});
  llm.api_version = reader.string({"api_version"});
  llm.temperature = reader.number({"temperature"});
  llm.max_tokens = reader.integer({"max_tokens"});
  llm.default_system_prompt = reader.string({"default_system_prompt"});
  llm.pricing = parse_pricing(reader, report);
  llm.extra = reader.take_unknown();
  return llm;
}

AgentConfig parse_agent(const Json& json, const std::string& path, ParseReport& report) {
  AgentConfig agent;
  FieldReader reader(json, path, report);
  read_type(reader, "agent");
  agent.name = reader.string({"name"}, true).value_or("");
  agent.description = reader.string({"description"});
  agent.system_prompt = reader.string({"system_prompt"});
  agent.client_ids = reader.string_list({"client_ids", "mcp_servers"});
  agent.llm_config_id = reader.string({"llm_config_id"});
  agent.provider = reader.string({"provider"});
  agent.model = reader.string({"model"});
  agent.base_url = reader.string({"base_url"});
  agent.api_version = reader.string({"api_version"});
  agent.temperature = reader.number({"temperature"});
  agent.max_tokens = reader.integer({"max_tokens"});
  agent.max_iterations = reader.integer({"max_iterations"});
  agent.include_history = reader.boolean({"include_history"});
  agent.history_limit = reader.integer({"history_limit"});
  agent.exclude_components = reader.string_list({"exclude_components"});
  agent.schema = reader.object({"schema", "config_validation_schema"});
  agent.require_approval = parse_approval_rule(reader);
  agent.max_result_chars = reader.integer({"max_result_chars"});
  agent.prefix_tool_names = reader.boolean({"prefix_tool_names"});
  read_llm_overrides(reader, agent, report);
  const Json kept = keep_as_written(reader, {"auto", "include_logging", "evaluation"});
  agent.extra = reader.take_unknown();
  agent.extra.update(kept);
  if (agent.extra.contains("llm")) agent.extra.erase("llm");  // read into the fields above
  return agent;
}

WorkflowConfig parse_workflow(const Json& json, const std::string& path, ParseReport& report) {
  WorkflowConfig workflow;
  FieldReader reader(json, path, report);
  read_type(reader, "linear_workflow");
  workflow.name = reader.string({"name"}, true).value_or("");
  workflow.steps = parse_array<WorkflowStep>(reader, {"steps"}, parse_step, report);
  workflow.description = reader.string({"description"});
  workflow.include_history = reader.boolean({"include_history"});
  const Json kept = keep_as_written(reader, {"include_logging"});
  workflow.extra = reader.take_unknown();
  workflow.extra.update(kept);
  return workflow;
}

GraphWorkflowConfig parse_graph_workflow(const Json& json, const std::string& path, ParseReport& report) {
  GraphWorkflowConfig workflow;
  FieldReader reader(json, path, report);
  read_type(reader, "graph_workflow");
  workflow.name = reader.string({"name"}, true).value_or("");
  workflow.description = reader.string({"description"});
  workflow.nodes = parse_array<GraphNode>(reader, {"nodes"}, parse_node, report);
  workflow.edges = parse_array<GraphEdge>(reader, {"edges"}, parse_edge, report);
  workflow.include_history = reader.boolean({"include_history"});
  const Json kept = keep_as_written(reader, {"include_logging"});
  workflow.extra = reader.take_unknown();
  workflow.extra.update(kept);
  return workflow;
}

CustomWorkflowConfig parse_custom_workflow(const Json& json, const std::string& path,
                                           ParseReport& report) {
  CustomWorkflowConfig workflow;
  FieldReader reader(json, path, report);
  read_type(reader, "custom_workflow");
  workflow.name = reader.string({"name"}, true).value_or("");
  workflow.module_path = reader.string({"module_path"}, true).value_or("");
  workflow.class_name = reader.string({"class_name"}, true).value_or("");
  workflow.description = reader.string({"description"});
  workflow.extra = reader.take_unknown();
  return workflow;
}

ProjectConfig parse_project(const Json& json, ParseReport& report) {
  ProjectConfig project;
  FieldReader reader(json, "", report);
  if (!reader.ok()) return project;
  project.name = reader.string({"name"});
  project.description = reader.string({"description"});
  project.clients = parse_array<ClientConfig>(reader, {"clients"}, parse_client, report);
  project.llms = parse_array<LlmConfig>(reader, {"llms", "llm_configs"}, parse_llm, report);
  project.agents = parse_array<AgentConfig>(reader, {"agents"}, parse_agent, report);
  project.workflows =
      parse_array<WorkflowConfig>(reader, {"workflows", "simple_workflows"}, parse_workflow, report);
  project.custom_workflows = parse_array<CustomWorkflowConfig>(reader, {"custom_workflows"},
                                                               parse_custom_workflow, report);
  project.graph_workflows = parse_array<GraphWorkflowConfig>(reader, {"graph_workflows"}, parse_graph_workflow,
                                                             report);
  project.extra = reader.take_unknown();
  return project;
}

Json to_json(const RootConfig& root) {
  Json out = start_with(root.extra);
  out["uri"] = root.uri;
  put(out, "name", root.name);
  put(out, "capabilities", root.capabilities);
  return out;
}

Json to_json(const ClientConfig& client) {
  Json out = start_with(client.extra);
  out["client_id"] = client.client_id;
  put(out, "description", client.description);
  put(out, "transport_type", client.transport_type);
  put(out, "server_path", client.server_path);
  put(out, "command", client.command);
  put(out, "args", client.args);
  put(out, "url", client.url);
  if (!client.headers.empty()) out["headers"] = client.headers;
  put(out, "ca_file", client.ca_file);
  if (client.auth) {
    Json auth = Json::object();
    auth["type"] = client.auth->type;
    auth["grant"] = client.auth->grant;
    put(auth, "scopes", client.auth->scopes);
    put(auth, "client_id", client.auth->client_id);
    put(auth, "client_secret_env", client.auth->client_secret_env);
    put(auth, "private_key_file", client.auth->private_key_file);
    put(auth, "client_metadata_url", client.auth->client_metadata_url);
    put(auth, "redirect_port", client.auth->redirect_port);
    out["auth"] = std::move(auth);
  }
  if (!client.env.empty()) out["env"] = client.env;
  if (client.inherit_env.all) out["inherit_env"] = true;
  else put(out, "inherit_env", client.inherit_env.names);
  put(out, "capabilities", client.capabilities);
  if (!client.roots.empty()) {
    Json roots = Json::array();
    for (const auto& root : client.roots) roots.push_back(to_json(root));
    out["roots"] = std::move(roots);
  }
  put(out, "timeout", client.timeout);
  put(out, "max_total_timeout", client.max_total_timeout);
  put(out, "registration_timeout", client.registration_timeout);
  put(out, "log_level", client.log_level);
  put(out, "routing_weight", client.routing_weight);
  put(out, "exclude", client.exclude);
  put(out, "optional", client.optional);
  put(out, "require_approval", client.require_approval);
  put(out, "max_result_chars", client.max_result_chars);
  put(out, "tool_prefix", client.tool_prefix);
  return out;
}

Json to_shown_json(const ClientConfig& client) {
  Json out = to_json(client);
  if (out.contains("headers")) {
    for (auto& [name, value] : out["headers"].items()) {
      if (value.get<std::string>().find("${") == std::string::npos) value = kMaskedValue;
    }
  }
  return out;
}

Json to_shown_json(const ProjectConfig& project) {
  Json out = to_json(project);
  if (out.contains("clients")) {
    Json clients = Json::array();
    for (const auto& client : project.clients) clients.push_back(to_shown_json(client));
    out["clients"] = std::move(clients);
  }
  return out;
}

Json to_json(const LlmConfig& llm) {
  Json out = start_with(llm.extra);
  out["llm_id"] = llm.llm_id;
  put(out, "description", llm.description);
  out["provider"] = llm.provider;
  put(out, "model", llm.model);
  put(out, "base_url", llm.base_url);
  put(out, "api_key_env", llm.api_key_env);
  put(out, "api_version", llm.api_version);
  put(out, "temperature", llm.temperature);
  put(out, "max_tokens", llm.max_tokens);
  put(out, "default_system_prompt", llm.default_system_prompt);
  if (llm.pricing) {
    Json pricing = {{"input_per_mtok", llm.pricing->input_per_mtok}, {"output_per_mtok", llm.pricing->output_per_mtok}};
    put(pricing, "cache_read_per_mtok", llm.pricing->cache_read_per_mtok);
    put(pricing, "cache_write_per_mtok", llm.pricing->cache_write_per_mtok);
    out["pricing"] = std::move(pricing);
  }
  return out;
}

Json to_json(const AgentConfig& agent) {
  Json out = start_with(agent.extra);
  out["name"] = agent.name;
  put(out, "description", agent.description);
  put(out, "system_prompt", agent.system_prompt);
  out["client_ids"] = agent.client_ids;
  put(out, "llm_config_id", agent.llm_config_id);
  put(out, "provider", agent.provider);
  put(out, "model", agent.model);
  put(out, "base_url", agent.base_url);
  put(out, "api_version", agent.api_version);
  put(out, "temperature", agent.temperature);
  put(out, "max_tokens", agent.max_tokens);
  put(out, "max_iterations", agent.max_iterations);
  put(out, "include_history", agent.include_history);
  put(out, "history_limit", agent.history_limit);
  put(out, "exclude_components", agent.exclude_components);
  put(out, "schema", agent.schema);
  put(out, "require_approval", agent.require_approval);
  put(out, "max_result_chars", agent.max_result_chars);
  put(out, "prefix_tool_names", agent.prefix_tool_names);
  return out;
}

Json to_json(const WorkflowConfig& workflow) {
  Json out = start_with(workflow.extra);
  out["name"] = workflow.name;
  Json steps = Json::array();
  for (const auto& step : workflow.steps) {
    if (step.type) steps.push_back({{"name", step.name}, {"type", *step.type}});
    else steps.push_back(step.name);
  }
  out["steps"] = std::move(steps);
  put(out, "description", workflow.description);
  put(out, "include_history", workflow.include_history);
  return out;
}

Json to_json(const GraphWorkflowConfig& workflow) {
  Json out = start_with(workflow.extra);
  out["name"] = workflow.name;
  put(out, "description", workflow.description);
  Json nodes = Json::array();
  for (const auto& node : workflow.nodes) {
    Json item = start_with(node.extra);
    item["node_id"] = node.node_id;
    item["name"] = node.name;
    item["type"] = node.type;
    nodes.push_back(std::move(item));
  }
  out["nodes"] = std::move(nodes);
  Json edges = Json::array();
  for (const auto& edge : workflow.edges) {
    Json item = start_with(edge.extra);
    item["from"] = edge.from;
    item["to"] = edge.to;
    edges.push_back(std::move(item));
  }
  out["edges"] = std::move(edges);
  put(out, "include_history", workflow.include_history);
  return out;
}

Json to_json(const CustomWorkflowConfig& workflow) {
  Json out = start_with(workflow.extra);
  out["name"] = workflow.name;
  out["module_path"] = workflow.module_path;
  out["class_name"] = workflow.class_name;
  put(out, "description", workflow.description);
  return out;
}

Json to_json(const ProjectConfig& project) {
  Json out = start_with(project.extra);
  put(out, "name", project.name);
  put(out, "description", project.description);
  const auto put_all = [&out](const char* key, const auto& items) {
    Json array = Json::array();
    for (const auto& item : items) array.push_back(to_json(item));
    out[key] = std::move(array);
  };
  put_all("clients", project.clients);
  put_all("llms", project.llms);
  put_all("agents", project.agents);
  put_all("workflows", project.workflows);
  put_all("custom_workflows", project.custom_workflows);
  // Written only when there are some, so a project without them reads as it always did.
  if (!project.graph_workflows.empty()) put_all("graph_workflows", project.graph_workflows);
  return out;
}

}  // namespace aurite::config
