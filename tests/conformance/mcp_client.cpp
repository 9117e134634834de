// mcp-client URL: the MCP client that the official conformance suite
// (@modelcontextprotocol/conformance, client mode) drives, built on our client library.
// The suite starts a scenario's server, runs this with the server's URL as the last
// argument and MCP_CONFORMANCE_SCENARIO naming the scenario, then judges what it saw on
// the wire. Every scenario gets what an agent host does: connect, list the tools, call
// them (the calls MCP_CONFORMANCE_CONTEXT names, when it names some); a server's
// elicitation is accepted with the defaults its schema gives.
#include <cstdlib>
#include <iostream>
#include <string>

#include "aurite/common/error.hpp"
#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/transport.hpp"

namespace {

using aurite::mcp::Json;

// Arguments a tool's schema asks for, as a test model would give them.
Json arguments_for(const Json& tool) {
  Json args = Json::object();
  const Json schema = tool.value("inputSchema", Json::object());
  const Json properties = schema.value("properties", Json::object());
  int number = 1;
  for (const auto& [name, property] : properties.items()) {
    const std::string type = property.is_object() ? property.value("type", "string") : "string";
    if (type == "number" || type == "integer") args[name] = ++number;
    else if (type == "boolean") args[name] = true;
    else if (type == "object") args[name] = Json::object();
    else if (type == "array") args[name] = Json::array();
    else args[name] = "conformance";
  }
  return args;
}

// elicitation/create answered as a person who accepts every default would.
std::optional<Json> accept_with_defaults(const std::string& method, const Json& params) {
  if (method != "elicitation/create") return std::nullopt;
  Json content = Json::object();
  const Json schema = params.value("requestedSchema", Json::object());
  const Json properties = schema.value("properties", Json::object());
  for (const auto& [name, property] : properties.items()) {
    if (property.is_object() && property.contains("default")) content[name] = property["default"];
  }
  return Json{{"action", "accept"}, {"content", content}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: mcp-client URL (with MCP_CONFORMANCE_SCENARIO set)\n";
    return 2;
  }
  const char* scenario_env = std::getenv("MCP_CONFORMANCE_SCENARIO");
  const std::string scenario = scenario_env != nullptr ? scenario_env : "";
  aurite::config::ClientConfig client;
  client.client_id = "conformance";
  client.url = argv[argc - 1];
  client.timeout = 20.0;
  try {
    aurite::mcp::ServerRequestHandler answers{{{"elicitation", Json::object()}}, accept_with_defaults};
    // The suite names the revision a scenario runs at; an agent host (McpHost) asks for
    // the stateless one first, as this does when none is named.
    const char* version_env = std::getenv("MCP_CONFORMANCE_PROTOCOL_VERSION");
    const std::string version = version_env != nullptr && *version_env != '\0'
                                    ? version_env
                                    : std::string(aurite::mcp::kStatelessProtocolVersion);
    auto session = aurite::mcp::ClientSession::open(client, aurite::mcp::start_http_transport(client, {}), version,
                                                    answers);
    std::cout << "connected: protocol " << session->protocol_version() << '\n';
    const auto tools = session->list_all("tools/list", "tools");
    std::cout << tools.size() << " tools\n";
    if (scenario == "initialize") return 0;
    int failures = 0;
    // A scenario may say which calls to make, with which arguments.
    const char* context_env = std::getenv("MCP_CONFORMANCE_CONTEXT");
    const Json context = Json::parse(context_env != nullptr ? context_env : "{}", nullptr, false);
    if (context.is_object() && context.contains("toolCalls") && context["toolCalls"].is_array()) {
      for (const auto& call : context["toolCalls"]) {
        const std::string name = call.value("name", "");
        try {
          const Json result = session->request("tools/call", {{"name", name}, {"arguments", call.value("arguments", Json::object())}});
          std::cout << name << ": " << result.dump() << '\n';
        } catch (const aurite::Error& error) {
          std::cerr << name << ": " << error.what() << '\n';
          ++failures;
        }
      }
      return failures == 0 ? 0 : 1;
    }
    for (const auto& tool : tools) {
      const std::string name = tool.value("name", "");
      if (const auto problem = aurite::mcp::header_annotation_problem(tool.value("inputSchema", Json::object()));
          !problem.empty()) {
        std::cout << name << ": not called, " << problem << '\n';
        continue;
      }
      try {
        const Json result = session->request("tools/call", {{"name", name}, {"arguments", arguments_for(tool)}});
        std::cout << name << ": " << result.dump() << '\n';
      } catch (const aurite::Error& error) {
        std::cerr << name << ": " << error.what() << '\n';
        ++failures;
      }
    }
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "mcp-client (" << scenario << "): " << error.what() << '\n';
    return 1;
  }
}
