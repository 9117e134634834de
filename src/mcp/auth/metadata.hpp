// Discovery (MCP authorization, "Authorization Server Discovery"): from the MCP server's
// refusal to its protected resource metadata (RFC 9728), from there to the metadata of
// its authorization server (RFC 8414, or OpenID Connect Discovery 1.0), each at the
// well-known locations the specification lists, in its order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aurite/net/http_client.hpp"
#include "mcp/auth/challenge.hpp"

namespace aurite::mcp::auth {

struct ResourceMetadata {
  std::string resource;                           // the identifier tokens are requested for
  std::vector<std::string> authorization_servers; // issuer URLs
  std::vector<std::string> scopes_supported;
};

struct ServerMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::optional<std::string> registration_endpoint;
  std::vector<std::string> scopes_supported;
  std::vector<std::string> code_challenge_methods_supported;
  std::vector<std::string> token_endpoint_auth_methods_supported;
  std::vector<std::string> grant_types_supported;
  bool client_id_metadata_document_supported = false;
  bool authorization_response_iss_parameter_supported = false;
};

// What discovery needs from the transport: the HTTP client, where errors point, and the
// protocol version the MCP server speaks (sent on requests to it).
struct DiscoveryContext {
  net::HttpClient& http;
  std::string client_name;       // "MCP client 'notion'"
  std::string server_url;        // the MCP endpoint
  std::string protocol_version;  // empty before initialize
  std::optional<std::string> ca_file;
};

// The server's protected resource metadata: the URL in the challenge, else
// /.well-known/oauth-protected-resource plus the endpoint's path, else at the root.
// Its `resource` must be the MCP endpoint or a parent of it on the same origin (else
// a token meant for another server would be requested): Error(kUnauthenticated).
// Nothing found: Error(kUnavailable) naming each URL tried.
ResourceMetadata discover_resource(const DiscoveryContext& context, const std::optional<BearerChallenge>& challenge);

// The authorization server's metadata. With a path in the issuer
// (https://as.example/tenant): oauth-authorization-server/tenant,
// openid-configuration/tenant, tenant/.well-known/openid-configuration; without:
// oauth-authorization-server, openid-configuration. Its `issuer` must be `issuer`
// exactly (RFC 8414 §3.3: else it may be an impostor's): Error(kUnauthenticated).
ServerMetadata discover_server(const DiscoveryContext& context, const std::string& issuer);

}  // namespace aurite::mcp::auth
