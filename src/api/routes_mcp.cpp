// What the MCP servers offer, reached without an agent: GET /tools, GET /prompts and
// GET /resources (each with ?agent= for what that agent sees), POST /tools/{name}/call,
// POST /prompts/{name}/get and GET /resources/read?uri=. A direct tool call is audited
// in the server log (tool, client, caller, outcome, duration), never with its arguments
// or result, which may hold anything.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"
#include "aurite/config/names.hpp"

namespace aurite::api::detail {
namespace {

const std::vector<std::string> kArgumentsFields = {"arguments"};

// The agent named by ?agent=, or nullopt without one; 404 (with the closest name) for an
// agent the project does not have.
std::optional<config::AgentConfig> agent_param(host::HostManager& host, const httplib::Request& request) {
  const auto name = text_param(request, "agent");
  if (!name) return std::nullopt;
  if (auto agent = host.find_agent(*name)) return agent;
  host.require_runnable(*name, /*agents_only=*/true);  // throws kNotFound naming the closest agent
  throw Error(ErrorCode::kNotFound, fmt::format("no agent named '{}'", *name));
}

// {"arguments": {...}} (optional, an object). `string_values`: prompts take strings only.
Json arguments_of(const httplib::Request& request, bool string_values) {
  std::vector<Diagnostic> problems;
  const Json body = parse_object_body(request, kArgumentsFields, problems);
  Json arguments = body.value("arguments", Json::object());
  if (arguments.is_null()) arguments = Json::object();
  if (!arguments.is_object()) {
    problems.push_back({"arguments", "expected an object"});
  } else if (string_values) {
    for (const auto& [key, value] : arguments.items()) {
      if (!value.is_string()) problems.push_back({"arguments." + key, "expected a string (prompt arguments are text)"});
    }
  }
  if (!problems.empty()) throw ConfigError("request body", std::move(problems));
  return arguments;
}

Json tool_json(const mcp::ToolInfo& tool) {
  return {{"name", tool.name}, {"client_id", tool.client_id}, {"description", tool.description},
          {"inputSchema", tool.input_schema}};
}

Json prompt_json(const mcp::PromptInfo& prompt) {
  return {{"name", prompt.name}, {"client_id", prompt.client_id}, {"description", prompt.description},
          {"arguments", prompt.arguments}};
}

Json resource_json(const mcp::ResourceInfo& resource) {
  Json out = {{"uri", resource.uri}, {"name", resource.name}, {"client_id", resource.client_id},
              {"description", resource.description}};
  if (!resource.mime_type.empty()) out["mimeType"] = resource.mime_type;
  return out;
}

std::string outcome_of(const mcp::ToolResult& result) {
  if (result.failure) return fmt::format("failed ({})", to_string(*result.failure));
  return result.is_error ? "tool error" : "ok";
}

// The tool name comes from the URL: a decoded newline must not start a forged log line.
std::string printable(const std::string& text) {
  std::string out = config::excerpt(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

void audit_call(const httplib::Request& request, const std::string& tool, const std::string& client,
                const std::string& outcome, std::chrono::steady_clock::time_point started) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("tool call '{}' on MCP client '{}' from {}:{}: {} in {} ms", printable(tool),
               client.empty() ? "-" : client, request.remote_addr, request.remote_port, outcome, ms.count());
}

void call_tool(host::HostManager& host, const httplib::Request& request, httplib::Response& response) {
  const auto started = std::chrono::steady_clock::now();
  const std::string name = path_param(request);
  std::string client;
  mcp::ToolResult result;
  try {
    const Json arguments = arguments_of(request, /*string_values=*/false);
    if (const auto tool = host.mcp().find_tool(name)) client = tool->client_id;
    result = host.mcp().call_tool(name, arguments);
  } catch (const Error& error) {
    audit_call(request, name, client, fmt::format("refused ({})", to_string(error.code())), started);
    throw;
  }
  audit_call(request, name, client, outcome_of(result), started);
  // The server failed, not the tool: the status says which way (503, 504, 502).
  if (result.failure) throw Error(*result.failure, result.text());
  Json body = result.to_json();
  body["client_id"] = client;
  send_json(response, 200, body);
}

}  // namespace

void add_mcp_routes(httplib::Server& server, ApiContext& context) {
  host::HostManager& host = context.host;

  add_route(server, context, "GET", "/tools", ([&host](const httplib::Request& request, httplib::Response& response) {
               const auto agent = agent_param(host, request);
               const auto tools = agent ? host.mcp().tools_for(*agent) : host.mcp().tools();
               Json listed = Json::array();
               for (const auto& tool : tools) listed.push_back(tool_json(tool));
               // A server that cannot start offers no tools; say so rather than hide it.
               Json unavailable = Json::array();
               for (const auto& failure : host.mcp().failed_clients(agent ? &*agent : nullptr)) {
                 unavailable.push_back({{"client_id", failure.client_id}, {"error", failure.error}});
               }
               send_json(response, 200, {{"tools", listed}, {"unavailable_clients", unavailable}});
             }));

  add_route(server, context, "POST", "/tools/{name}/call",
            ([&host](const httplib::Request& request, httplib::Response& response) { call_tool(host, request, response); }));

  add_route(server, context, "GET", "/prompts", ([&host](const httplib::Request& request, httplib::Response& response) {
               const auto agent = agent_param(host, request);
               Json listed = Json::array();
               for (const auto& prompt : host.mcp().prompts(agent ? &*agent : nullptr)) listed.push_back(prompt_json(prompt));
               send_json(response, 200, {{"prompts", listed}});
             }));

  add_route(server, context, "POST", "/prompts/{name}/get",
            ([&host](const httplib::Request& request, httplib::Response& response) {
               const Json arguments = arguments_of(request, /*string_values=*/true);
               send_json(response, 200, host.mcp().get_prompt(path_param(request), arguments));
             }));

  add_route(server, context, "GET", "/resources", ([&host](const httplib::Request& request, httplib::Response& response) {
               const auto agent = agent_param(host, request);
               Json listed = Json::array();
               for (const auto& resource : host.mcp().resources(agent ? &*agent : nullptr)) {
                 listed.push_back(resource_json(resource));
               }
               send_json(response, 200, {{"resources", listed}});
             }));

  add_route(server, context, "GET", "/resources/read", ([&host](const httplib::Request& request, httplib::Response& response) {
               const auto uri = text_param(request, "uri");
               if (!uri) throw Error(ErrorCode::kInvalidArgument, "query parameter 'uri' is required");
               send_json(response, 200, host.mcp().read_resource(*uri));
             }));
}

}  // namespace aurite::api::detail
