// mcp-client URL: the MCP client that the official conformance suite
// (@modelcontextprotocol/conformance, client mode) drives, built on our client library.
// The suite starts a scenario's server, runs this with the server's URL as the last
// argument and MCP_CONFORMANCE_SCENARIO naming the scenario, then judges what it saw on
// the wire. Every scenario gets what an agent host does: connect, list the tools, call
// them (the calls MCP_CONFORMANCE_CONTEXT names, when it names some); a server's
// elicitation is accepted with the defaults its schema gives. In the auth/* scenarios the
// client has `auth` as a user would configure it (the context's credentials when the
// scenario gives some) and logs in without a browser, as `aurite mcp login --no-browser`.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <filesystem>
#include <fstream>

#include "aurite/common/error.hpp"
#include "aurite/mcp/auth.hpp"
#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/elicitation.hpp"
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

// elicitation/create answered as a person who accepts every default would (what the
// terminal sends when each field is left empty).
std::optional<Json> accept_with_defaults(const std::string& method, const Json& params) {
  if (method != "elicitation/create") return std::nullopt;
  return Json{{"action", "accept"}, {"content", aurite::mcp::schema_defaults(params.value("requestedSchema", Json::object()))}};
}

// The client metadata document URL the suite's authorization servers accept.
constexpr const char* kClientMetadataUrl = "https://conformance-test.local/client-metadata.json";
constexpr const char* kSecretVariable = "AURITE_CONFORMANCE_CLIENT_SECRET";

// `auth` as a user would write it for the scenario; a key the context gives goes to a
// file, as a user's would be.
aurite::config::ClientAuthConfig auth_for(const Json& context, const std::filesystem::path& key_file) {
  aurite::config::ClientAuthConfig auth;
  auth.client_metadata_url = kClientMetadataUrl;
  if (!context.is_object()) return auth;
  const std::string name = context.value("name", "");
  if (context.contains("client_id")) auth.client_id = context["client_id"].get<std::string>();
  if (context.contains("client_secret")) {
    ::setenv(kSecretVariable, context["client_secret"].get<std::string>().c_str(), 1);
    auth.client_secret_env = kSecretVariable;
  }
  if (context.contains("private_key_pem")) {
    std::ofstream(key_file) << context["private_key_pem"].get<std::string>();
    std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auth.private_key_file = key_file.string();
  }
  if (name.rfind("auth/client-credentials", 0) == 0) auth.grant = "client_credentials";
  return auth;
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
  const char* context_env = std::getenv("MCP_CONFORMANCE_CONTEXT");
  const Json context = Json::parse(context_env != nullptr ? context_env : "{}", nullptr, false);
  const auto key_file = std::filesystem::temp_directory_path() / ("aurite-conformance-key-" + std::to_string(::getpid()) + ".pem");
  struct RemoveKey {
    std::filesystem::path file;
    ~RemoveKey() {
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
    }
  } remove_key{key_file};
  std::shared_ptr<aurite::mcp::auth::Authorizer> authorizer;
  try {
    if (scenario.rfind("auth/", 0) == 0) {
      client.auth = auth_for(context, key_file);
      aurite::mcp::auth::AuthorizerOptions options;
      options.login = aurite::mcp::auth::LoginMode::kNoBrowser;
      options.login_timeout = std::chrono::seconds(20);
      authorizer = aurite::mcp::auth::make_authorizer(client, std::move(options));
    }
    aurite::mcp::ServerRequestHandler answers{{{"elicitation", Json::object()}}, accept_with_defaults};
    // The suite names the revision a scenario runs at; an agent host (McpHost) asks for
    // the stateless one first, as this does when none is named.
    const char* version_env = std::getenv("MCP_CONFORMANCE_PROTOCOL_VERSION");
    const std::string version = version_env != nullptr && *version_env != '\0'
                                    ? version_env
                                    : std::string(aurite::mcp::kStatelessProtocolVersion);
    auto session = aurite::mcp::ClientSession::open(client, aurite::mcp::start_http_transport(client, {}, authorizer),
                                                    version, answers);
    std::cout << "connected: protocol " << session->protocol_version() << '\n';
    const auto tools = session->list_all("tools/list", "tools");
    std::cout << tools.size() << " tools\n";
    if (scenario == "initialize") return 0;
    int failures = 0;
    // A scenario may say which calls to make, with which arguments.
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
