// aurite-test-oauth-server: a real OAuth authorization server and the MCP server it
// protects, in one process on two loopback ports, for the OAuth tests. The MCP server
// (our server library, tool `whoami`) refuses requests without a valid access token and
// points at its protected resource metadata; the authorization server registers
// clients dynamically, approves every authorization at once (a 302 back with the code,
// PKCE checked), rotates refresh tokens (a used one is spent) and issues client
// credentials tokens. Tests steer it through /admin: expire every access token, revoke
// every refresh token, and read what it issued and how often it refreshed.
//
// Prints "mcp URL" and "issuer URL" lines, then serves until killed.
//   --expires-in S   the lifetime the token endpoint reports (and keeps) [3600]
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/server.hpp"
#include "aurite/net/url.hpp"
#include "aurite/secrets/encoding.hpp"

namespace {

using nlohmann::json;

struct Grants {
  std::mutex mutex;
  std::set<std::string> access;    // valid access tokens
  std::set<std::string> refresh;   // unspent refresh tokens
  std::vector<std::string> issued; // every token and secret ever handed out
  std::map<std::string, std::string> challenges;  // code -> code_challenge
  int refreshes = 0;
  int authorizations = 0;
  int client_credentials = 0;

  std::string make(const char* kind) {
    std::string token = std::string(kind) + "-" + aurite::secrets::base64url_encode(aurite::secrets::random_bytes(18));
    issued.push_back(token);
    return token;
  }
};

json token_answer(Grants& grants, int expires_in, bool with_refresh) {
  const std::string access = grants.make("access");
  grants.access.insert(access);
  json out = {{"access_token", access}, {"token_type", "Bearer"}, {"expires_in", expires_in}, {"scope", "mcp"}};
  if (with_refresh) {
    const std::string refresh = grants.make("refresh");
    grants.refresh.insert(refresh);
    out["refresh_token"] = refresh;
  }
  return out;
}

void oauth_error(httplib::Response& response, int status, const std::string& error) {
  response.status = status;
  response.set_content(json{{"error", error}}.dump(), "application/json");
}

}  // namespace

int main(int argc, char** argv) {
  int expires_in = 3600;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--expires-in") expires_in = std::atoi(argv[i + 1]);
  }
  Grants grants;
  httplib::Server as;
  const int as_port = as.bind_to_any_port("127.0.0.1");
  const std::string issuer = "http://127.0.0.1:" + std::to_string(as_port);

  aurite::mcp::McpServer::Options server_options;
  server_options.name = "oauth-test";
  aurite::mcp::McpServer server(server_options);
  server.add_tool({"whoami", "Answers 'authorized'.", {{"type", "object"}},
                   [](const aurite::mcp::Json&) { return aurite::mcp::text_result("authorized"); }});
  aurite::mcp::McpHttpServer::Options http_options;
  const std::string metadata_url = issuer + "/prm";
  http_options.check_token = [&](const std::string& authorization)
      -> std::optional<aurite::mcp::McpHttpServer::Options::Refusal> {
    std::lock_guard lock(grants.mutex);
    const std::string prefix = "Bearer ";
    if (authorization.rfind(prefix, 0) == 0 && grants.access.count(authorization.substr(prefix.size())) != 0) {
      return std::nullopt;
    }
    return aurite::mcp::McpHttpServer::Options::Refusal{
        401, "Bearer error=\"invalid_token\", resource_metadata=\"" + metadata_url + "\""};
  };
  aurite::mcp::McpHttpServer http(server, http_options);
  const int mcp_port = http.bind();
  const std::string mcp_url = "http://127.0.0.1:" + std::to_string(mcp_port) + "/mcp";

  as.Get("/prm", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(json{{"resource", mcp_url}, {"authorization_servers", {issuer}}}.dump(), "application/json");
  });
  as.Get("/.well-known/oauth-authorization-server", [&](const httplib::Request&, httplib::Response& response) {
    const json metadata = {{"issuer", issuer},
                           {"authorization_endpoint", issuer + "/authorize"},
                           {"token_endpoint", issuer + "/token"},
                           {"registration_endpoint", issuer + "/register"},
                           {"response_types_supported", {"code"}},
                           {"grant_types_supported", {"authorization_code", "refresh_token", "client_credentials"}},
                           {"code_challenge_methods_supported", {"S256"}},
                           {"token_endpoint_auth_methods_supported", {"none", "client_secret_basic"}},
                           {"authorization_response_iss_parameter_supported", true}};
    response.set_content(metadata.dump(), "application/json");
  });
  as.Post("/register", [&](const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    std::lock_guard lock(grants.mutex);
    response.status = 201;
    response.set_content(json{{"client_id", grants.make("client")},
                              {"redirect_uris", body.value("redirect_uris", json::array())},
                              {"token_endpoint_auth_method", "none"}}
                             .dump(),
                         "application/json");
  });
  as.Get("/authorize", [&](const httplib::Request& request, httplib::Response& response) {
    const auto query = aurite::net::form_decode(request.target.substr(request.target.find('?') + 1));
    const auto redirect = aurite::net::form_value(query, "redirect_uri").value_or("");
    std::lock_guard lock(grants.mutex);
    const std::string code = grants.make("code");
    grants.challenges[code] = aurite::net::form_value(query, "code_challenge").value_or("");
    ++grants.authorizations;
    response.status = 302;
    response.set_header("Location", redirect + "?" +
                                        aurite::net::form_encode({{"code", code},
                                                                  {"state", aurite::net::form_value(query, "state").value_or("")},
                                                                  {"iss", issuer}}));
  });
  as.Post("/token", [&](const httplib::Request& request, httplib::Response& response) {
    const auto form = aurite::net::form_decode(request.body);
    const auto grant = aurite::net::form_value(form, "grant_type").value_or("");
    std::lock_guard lock(grants.mutex);
    if (grant == "authorization_code") {
      const auto code = aurite::net::form_value(form, "code").value_or("");
      const auto challenge = grants.challenges.find(code);
      const auto verifier = aurite::net::form_value(form, "code_verifier").value_or("");
      if (challenge == grants.challenges.end() ||
          aurite::secrets::base64url_encode(aurite::secrets::sha256(verifier)) != challenge->second) {
        return oauth_error(response, 400, "invalid_grant");
      }
      grants.challenges.erase(challenge);
      return response.set_content(token_answer(grants, expires_in, true).dump(), "application/json");
    }
    if (grant == "refresh_token") {
      const auto refresh = aurite::net::form_value(form, "refresh_token").value_or("");
      if (grants.refresh.erase(refresh) == 0) return oauth_error(response, 400, "invalid_grant");
      ++grants.refreshes;
      return response.set_content(token_answer(grants, expires_in, true).dump(), "application/json");
    }
    if (grant == "client_credentials") {
      ++grants.client_credentials;
      return response.set_content(token_answer(grants, expires_in, false).dump(), "application/json");
    }
    oauth_error(response, 400, "unsupported_grant_type");
  });
  as.Post("/admin/expire", [&](const httplib::Request&, httplib::Response& response) {
    std::lock_guard lock(grants.mutex);
    grants.access.clear();
    response.set_content("{}", "application/json");
  });
  as.Post("/admin/revoke", [&](const httplib::Request&, httplib::Response& response) {
    std::lock_guard lock(grants.mutex);
    grants.refresh.clear();
    response.set_content("{}", "application/json");
  });
  as.Get("/admin/stats", [&](const httplib::Request&, httplib::Response& response) {
    std::lock_guard lock(grants.mutex);
    response.set_content(json{{"refreshes", grants.refreshes},
                              {"authorizations", grants.authorizations},
                              {"client_credentials", grants.client_credentials},
                              {"valid_access_tokens", grants.access.size()},
                              {"issued", grants.issued}}
                             .dump(),
                         "application/json");
  });
  std::thread mcp_thread([&] { http.serve(); });
  std::cout << "mcp " << mcp_url << "\nissuer " << issuer << std::endl;
  as.listen_after_bind();
  http.stop();
  mcp_thread.join();
  return 0;
}
