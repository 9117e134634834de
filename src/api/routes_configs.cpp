// /configs/{kind}[/{name}]: list, get, create, replace and delete clients, llms, agents,
// workflows, custom workflows and graph workflows. Bodies are validated exactly as the
// project file is (HostManager::register_*), errors carrying JSON paths inside the request
// body. Aurite 0.4 bodies are read too: their field names, and a "type" naming the kind
// (one naming another kind is refused, at "type").
#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"
#include "aurite/config/json_codec.hpp"

namespace aurite::api::detail {
namespace {

using config::ComponentKind;
using config::ProjectConfig;

ComponentKind kind_from_key(const std::string& key) {
  for (const ComponentKind kind : config::kComponentKinds) {
    if (config::kind_key(kind) == key) return kind;
  }
  throw Error(ErrorCode::kNotFound, fmt::format("no configuration kind '{}'", key));
}

// The key a kind's name is stored under.
const char* name_key(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kClient: return "client_id";
    case ComponentKind::kLlm: return "llm_id";
    default: return "name";
  }
}

// The key `body` gives the name under: the current one, or the one Aurite 0.4 used for
// clients and llms ("name"), which the codec reads too; the current one when neither is
// there.
const char* name_key_in(const Json& body, ComponentKind kind) {
  const char* key = name_key(kind);
  const auto given = [&](const char* k) { return body.contains(k) && !body[k].is_null(); };
  if (!given(key) && std::string_view(key) != "name" && given("name")) return "name";
  return key;
}

template <typename T>
Json list_of(const std::vector<T>& items) {
  Json out = Json::array();
  for (const auto& item : items) out.push_back(config::to_shown_json(item));
  return out;
}

template <typename T>
const T* find_in(const std::vector<T>& items, const std::string& name) {
  for (const auto& item : items) {
    if (config::name_of(item) == name) return &item;
  }
  return nullptr;
}

std::optional<Json> find_json(const host::HostManager& host, ComponentKind kind, const std::string& name) {
  const ProjectConfig project = host.snapshot();
  return config::visit_components(project, kind, [&](const auto& items) -> std::optional<Json> {
    const auto* item = find_in(items, name);
    if (item == nullptr) return std::nullopt;
    return config::to_shown_json(*item);
  });
}

// A project path (`agents[3].client_ids[0]`) made relative to the component's body
// (`client_ids[0]`) when it lies inside `prefix`; other paths are left as they are.
std::string body_path(const std::string& path, const std::string& prefix) {
  if (path == prefix) return "";
  if (path.rfind(prefix, 0) != 0) return path;
  const std::string rest = path.substr(prefix.size());
  if (rest[0] == '.') return rest.substr(1);
  if (rest[0] == '[') return rest;
  return path;
}

// The index the component will have in its registry, for mapping paths back.
std::string project_prefix(const host::HostManager& host, ComponentKind kind, const std::string& name) {
  const ProjectConfig project = host.snapshot();
  const std::size_t index = config::visit_components(project, kind, [&](const auto& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (config::name_of(items[i]) == name) return i;
    }
    return items.size();
  });
  return fmt::format("{}[{}]", config::kind_key(kind), index);
}

template <typename T, typename Parse, typename Register>
host::Registration parse_and_register(const Json& body, Parse parse, Register do_register, const std::string& prefix) {
  config::ParseReport report;
  T component = parse(body, "", report);
  // A body whose "type" names another kind was sent to the wrong route: that is the one
  // thing to say, not every field that kind has and this one does not.
  const auto wrong_type = std::find_if(report.errors.begin(), report.errors.end(),
                                       [](const Diagnostic& d) { return d.path == "type"; });
  if (wrong_type != report.errors.end()) throw ConfigError("request body", {*wrong_type});
  // Programs send these bodies: a misspelt field is a mistake to report, not a key to keep.
  auto problems = std::move(report.errors);
  for (auto& unknown : config::unknown_key_errors(report.unknown_keys)) problems.push_back(std::move(unknown));
  if (!problems.empty()) throw ConfigError("request body", std::move(problems));
  try {
    return do_register(std::move(component));
  } catch (const ConfigError& error) {
    std::vector<Diagnostic> mapped;
    for (const auto& d : error.diagnostics()) mapped.push_back({body_path(d.path, prefix), d.message});
    throw ConfigError("request body", std::move(mapped));
  }
}

// Validates `body` as a component of `kind` and registers it (create or replace).
host::Registration register_body(host::HostManager& host, ComponentKind kind, const Json& body,
                                 const std::string& name) {
  const std::string prefix = project_prefix(host, kind, name);
  switch (kind) {
    case ComponentKind::kClient:
      return parse_and_register<config::ClientConfig>(body, config::parse_client,
                                                      [&](auto c) { return host.register_client(std::move(c)); }, prefix);
    case ComponentKind::kLlm:
      return parse_and_register<config::LlmConfig>(body, config::parse_llm,
                                                   [&](auto c) { return host.register_llm(std::move(c)); }, prefix);
    case ComponentKind::kAgent:
      return parse_and_register<config::AgentConfig>(body, config::parse_agent,
                                                     [&](auto c) { return host.register_agent(std::move(c)); }, prefix);
    case ComponentKind::kWorkflow:
      return parse_and_register<config::WorkflowConfig>(
          body, config::parse_workflow, [&](auto c) { return host.register_workflow(std::move(c)); }, prefix);
    case ComponentKind::kCustomWorkflow:
      return parse_and_register<config::CustomWorkflowConfig>(
          body, config::parse_custom_workflow, [&](auto c) { return host.register_custom_workflow(std::move(c)); },
          prefix);
    case ComponentKind::kGraphWorkflow:
      break;
  }
  return parse_and_register<config::GraphWorkflowConfig>(
      body, config::parse_graph_workflow, [&](auto c) { return host.register_graph_workflow(std::move(c)); }, prefix);
}

Json require_object(const httplib::Request& request) {
  Json body = parse_body(request);
  if (!body.is_object()) throw ConfigError("request body", {{"", "expected an object"}});
  return body;
}

void reply_with_component(httplib::Response& response, const host::HostManager& host, ComponentKind kind,
                          const std::string& name, host::Registration registration) {
  const auto stored = find_json(host, kind, name);
  send_json(response, registration == host::Registration::kCreated ? 201 : 200, stored.value_or(Json::object()));
}

}  // namespace

void add_config_routes(httplib::Server& server, ApiContext& context) {
  host::HostManager& host = context.host;
  const std::string collection = "/configs/{kind}";
  const std::string item = "/configs/{kind}/{name}";

  add_route(server, context, "GET", collection, ([&host](const httplib::Request& request, httplib::Response& response) {
               const ComponentKind kind = kind_from_key(path_param(request));
               const ProjectConfig project = host.snapshot();
               send_json(response, 200, {{"items", config::visit_components(project, kind, [](const auto& items) { return list_of(items); })}});
             }));

  add_route(server, context, "GET", item, ([&host](const httplib::Request& request, httplib::Response& response) {
               const ComponentKind kind = kind_from_key(path_param(request));
               const std::string name = path_param(request, 2);
               const auto found = find_json(host, kind, name);
               if (!found) throw Error(ErrorCode::kNotFound, fmt::format("no {} named '{}'", config::kind_name(kind), name));
               send_json(response, 200, *found);
             }));

  add_route(server, context, "POST", collection, ([&host](const httplib::Request& request, httplib::Response& response) {
                const ComponentKind kind = kind_from_key(path_param(request));
                const Json body = require_object(request);
                const Json name_value = body.value(name_key_in(body, kind), Json());
                const std::string name = name_value.is_string() ? name_value.get<std::string>() : "";
                if (!name.empty() && find_json(host, kind, name)) {
                  throw Error(ErrorCode::kAlreadyExists,
                              fmt::format("{} named '{}' exists (PUT replaces it)", config::with_article(kind), name));
                }
                const auto registration = register_body(host, kind, body, name);
                reply_with_component(response, host, kind, name, registration);
              }));

  add_route(server, context, "PUT", item, ([&host](const httplib::Request& request, httplib::Response& response) {
               const ComponentKind kind = kind_from_key(path_param(request));
               const std::string name = path_param(request, 2);
               Json body = require_object(request);
               const char* key = name_key_in(body, kind);
               if (!body.contains(key) || body[key].is_null()) body[key] = name;
               if (body[key] != Json(name)) {
                 throw ConfigError("request body", {{key, fmt::format("must equal the name in the path, '{}'", name)}});
               }
               const auto registration = register_body(host, kind, body, name);
               reply_with_component(response, host, kind, name, registration);
             }));

  add_route(server, context, "DELETE", item, ([&host](const httplib::Request& request, httplib::Response& response) {
                  const ComponentKind kind = kind_from_key(path_param(request));
                  host.remove(kind, path_param(request, 2));
                  response.status = 204;
                }));
}

}  // namespace aurite::api::detail
