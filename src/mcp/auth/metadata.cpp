#include "mcp/auth/metadata.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "aurite/net/url.hpp"

namespace aurite::mcp::auth {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxMetadataBytes = 256 * 1024;
constexpr std::chrono::milliseconds kMetadataTimeout{15000};

std::vector<std::string> strings(const json& object, const char* key) {
  std::vector<std::string> out;
  if (!object.contains(key) || !object[key].is_array()) return out;
  for (const auto& item : object[key]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string text(const json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
}

bool flag(const json& object, const char* key) {
  return object.contains(key) && object[key].is_boolean() && object[key].get<bool>();
}

// GET `url` as JSON: the object, or nullopt for a 4xx (not there: the next candidate).
// A 5xx, a connection failure or a body that is not a JSON object is an error.
std::optional<json> fetch_json(const DiscoveryContext& context, const std::string& url, bool to_mcp_server) {
  net::HttpRequest request;
  request.url = url;
  request.headers.push_back({"Accept", "application/json"});
  if (to_mcp_server && !context.protocol_version.empty()) {
    request.headers.push_back({"MCP-Protocol-Version", context.protocol_version});
  }
  request.connect_timeout = kMetadataTimeout;
  request.total_timeout = kMetadataTimeout;
  request.ca_file = context.ca_file;
  net::HttpClient::Response response;
  try {
    response = context.http.fetch(request, kMaxMetadataBytes);
  } catch (const Error& error) {
    throw Error(error.code(), context.client_name + ": OAuth discovery: " + error.what());
  }
  spdlog::debug("{}: OAuth discovery: GET {} -> {}", context.client_name, net::display_url(url), response.head.status);
  if (response.head.status >= 400 && response.head.status < 500) return std::nullopt;
  if (response.head.status < 200 || response.head.status >= 300) {
    throw Error(ErrorCode::kUnavailable, fmt::format("{}: OAuth discovery: GET {} was answered HTTP {}",
                                                     context.client_name, net::display_url(url), response.head.status));
  }
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    throw Error(ErrorCode::kProtocol, fmt::format("{}: OAuth discovery: {} is not a JSON object", context.client_name,
                                                  net::display_url(url)));
  }
  return body;
}

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path == "/" ? std::string() : path;
}

// RFC 9728 §3.3, as MCP clients apply it: the metadata may name the endpoint itself or a
// resource above it on the same origin.
bool resource_covers(const std::string& resource, const std::string& server_url) {
  const auto published = net::parse_url(resource);
  const auto endpoint = net::parse_url(server_url);
  if (!published || !endpoint || published->origin() != endpoint->origin()) return false;
  const std::string prefix = without_trailing_slash(published->path);
  const std::string path = without_trailing_slash(endpoint->path);
  return prefix.empty() || path == prefix || path.rfind(prefix + "/", 0) == 0;
}

std::string tried_list(const std::vector<std::string>& urls) {
  std::string out;
  for (const auto& url : urls) out += (out.empty() ? "" : ", ") + net::display_url(url);
  return out;
}

}  // namespace

ResourceMetadata discover_resource(const DiscoveryContext& context, const std::optional<BearerChallenge>& challenge) {
  const auto endpoint = net::parse_url(context.server_url);
  if (!endpoint) throw Error(ErrorCode::kInvalidConfig, context.client_name + ": the url is not an http(s) URL");
  std::vector<std::string> candidates;
  if (challenge && challenge->resource_metadata()) {
    if (auto url = net::resolve_url(context.server_url, *challenge->resource_metadata())) candidates.push_back(*url);
  }
  const std::string path = without_trailing_slash(endpoint->path);
  if (!path.empty()) candidates.push_back(endpoint->origin() + "/.well-known/oauth-protected-resource" + path);
  candidates.push_back(endpoint->origin() + "/.well-known/oauth-protected-resource");
  std::vector<std::string> tried;
  for (const auto& url : candidates) {
    tried.push_back(url);
    const auto body = fetch_json(context, url, /*to_mcp_server=*/true);
    if (!body) continue;
    ResourceMetadata metadata;
    metadata.resource = text(*body, "resource");
    metadata.authorization_servers = strings(*body, "authorization_servers");
    metadata.scopes_supported = strings(*body, "scopes_supported");
    if (metadata.resource.empty() || metadata.authorization_servers.empty()) {
      throw Error(ErrorCode::kProtocol,
                  fmt::format("{}: the protected resource metadata at {} names no {}", context.client_name,
                              net::display_url(url), metadata.resource.empty() ? "resource" : "authorization_servers"));
    }
    if (!resource_covers(metadata.resource, context.server_url)) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the protected resource metadata at {} is for the resource {}, not for {}: "
                              "no token is requested for it",
                              context.client_name, net::display_url(url), net::display_url(metadata.resource),
                              net::display_url(context.server_url)));
    }
    return metadata;
  }
  throw Error(ErrorCode::kUnavailable,
              fmt::format("{}: the server wants OAuth but publishes no protected resource metadata (tried {})",
                          context.client_name, tried_list(tried)));
}

ServerMetadata discover_server(const DiscoveryContext& context, const std::string& issuer) {
  const auto base = net::parse_url(issuer);
  if (!base || !base->query.empty()) {
    throw Error(ErrorCode::kProtocol, fmt::format("{}: the authorization server '{}' is not an http(s) URL without a query",
                                                  context.client_name, net::display_url(issuer)));
  }
  const std::string path = without_trailing_slash(base->path);
  std::vector<std::string> candidates;
  if (path.empty()) {
    candidates = {base->origin() + "/.well-known/oauth-authorization-server",
                  base->origin() + "/.well-known/openid-configuration"};
  } else {
    candidates = {base->origin() + "/.well-known/oauth-authorization-server" + path,
                  base->origin() + "/.well-known/openid-configuration" + path,
                  base->origin() + path + "/.well-known/openid-configuration"};
  }
  std::vector<std::string> tried;
  for (const auto& url : candidates) {
    tried.push_back(url);
    const auto body = fetch_json(context, url, /*to_mcp_server=*/false);
    if (!body) continue;
    ServerMetadata metadata;
    metadata.issuer = text(*body, "issuer");
    if (metadata.issuer != issuer) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the authorization server metadata at {} names the issuer '{}', not '{}' "
                              "(RFC 8414 §3.3): refused",
                              context.client_name, net::display_url(url), net::display_url(metadata.issuer),
                              net::display_url(issuer)));
    }
    metadata.authorization_endpoint = text(*body, "authorization_endpoint");
    metadata.token_endpoint = text(*body, "token_endpoint");
    if (auto registration = text(*body, "registration_endpoint"); !registration.empty()) {
      metadata.registration_endpoint = registration;
    }
    metadata.scopes_supported = strings(*body, "scopes_supported");
    metadata.code_challenge_methods_supported = strings(*body, "code_challenge_methods_supported");
    metadata.token_endpoint_auth_methods_supported = strings(*body, "token_endpoint_auth_methods_supported");
    metadata.grant_types_supported = strings(*body, "grant_types_supported");
    metadata.client_id_metadata_document_supported = flag(*body, "client_id_metadata_document_supported");
    metadata.authorization_response_iss_parameter_supported =
        flag(*body, "authorization_response_iss_parameter_supported");
    if (metadata.token_endpoint.empty()) {
      throw Error(ErrorCode::kProtocol, fmt::format("{}: the authorization server metadata at {} names no token_endpoint",
                                                    context.client_name, net::display_url(url)));
    }
    return metadata;
  }
  throw Error(ErrorCode::kUnavailable, fmt::format("{}: the authorization server {} publishes no metadata (tried {})",
                                                   context.client_name, net::display_url(issuer), tried_list(tried)));
}

}  // namespace aurite::mcp::auth
