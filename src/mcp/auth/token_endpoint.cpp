#include "mcp/auth/token_endpoint.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/secrets/encoding.hpp"

namespace aurite::mcp::auth {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::chrono::milliseconds kEndpointTimeout{30000};
constexpr std::size_t kMaxDescription = 300;

// An error_description may be anything; what we repeat is one printable line.
std::string printable(std::string text) {
  for (auto& c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return text.size() > kMaxDescription ? text.substr(0, kMaxDescription) + "..." : text;
}

net::HttpClient::Response post(const DiscoveryContext& context, const std::string& url, const std::string& what,
                               std::vector<net::HttpHeader> headers, std::string body) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = std::move(headers);
  request.headers.push_back({"Accept", "application/json"});
  request.body = std::move(body);
  request.connect_timeout = kEndpointTimeout;
  request.total_timeout = kEndpointTimeout;
  request.ca_file = context.ca_file;
  try {
    auto response = context.http.fetch(request, kMaxAnswerBytes);
    spdlog::debug("{}: {}: POST {} -> {}", context.client_name, what, net::display_url(url), response.head.status);
    return response;
  } catch (const Error& error) {
    throw Error(error.code(), context.client_name + ": " + what + ": " + error.what());
  }
}

}  // namespace

std::string choose_auth_method(const ServerMetadata& server, bool has_secret) {
  const auto& supported = server.token_endpoint_auth_methods_supported;
  if (!has_secret) return "none";
  // RFC 8414 §2: a server that lists nothing supports client_secret_basic.
  if (supported.empty() || listed(supported, "client_secret_basic")) return "client_secret_basic";
  if (listed(supported, "client_secret_post")) return "client_secret_post";
  return "client_secret_basic";
}

TokenAnswer request_tokens(const DiscoveryContext& context, const std::string& token_endpoint,
                           const ClientAuthentication& client, net::FormFields fields,
                           const std::vector<std::string>& requested) {
  std::vector<net::HttpHeader> headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  if (client.method == "client_secret_basic") {
    // RFC 6749 §2.3.1: each part form-encoded before they are joined.
    const std::string pair = net::percent_encode(client.client_id) + ":" + net::percent_encode(client.secret.value_or(""));
    headers.push_back({"Authorization", "Basic " + secrets::base64_encode(pair)});
  } else if (client.method == "client_secret_post") {
    fields.emplace_back("client_id", client.client_id);
    fields.emplace_back("client_secret", client.secret.value_or(""));
  } else if (client.method == "private_key_jwt") {
    if (client.key == nullptr) throw Error(ErrorCode::kInternal, "private_key_jwt without a key");
    fields.emplace_back("client_assertion_type", kJwtBearerAssertionType);
    fields.emplace_back("client_assertion", client.key->client_assertion(client.client_id, client.audience));
  } else {
    fields.emplace_back("client_id", client.client_id);
  }
  const std::string grant = net::form_value(fields, "grant_type").value_or("");
  const auto response = post(context, token_endpoint, "the token request (" + grant + ")", std::move(headers),
                             net::form_encode(fields));
  TokenAnswer answer;
  answer.status = response.head.status;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.head.status < 200 || response.head.status >= 300) {
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
      answer.error = printable(body["error"].get<std::string>());
      if (body.contains("error_description") && body["error_description"].is_string()) {
        answer.description = printable(body["error_description"].get<std::string>());
      }
    } else {
      answer.error = fmt::format("HTTP {}", response.head.status);
    }
    return answer;
  }
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string() ||
      body["access_token"].get<std::string>().empty()) {
    throw Error(ErrorCode::kProtocol, fmt::format("{}: the token endpoint {} answered without an access_token",
                                                  context.client_name, net::display_url(token_endpoint)));
  }
  const std::string type = body.contains("token_type") && body["token_type"].is_string()
                               ? body["token_type"].get<std::string>()
                               : std::string();
  if (to_lower(type) != "bearer") {
    throw Error(ErrorCode::kProtocol, fmt::format("{}: the token endpoint issued a '{}' token; only Bearer tokens are sent",
                                                  context.client_name, printable(type)));
  }
  TokenSet tokens;
  tokens.access_token = body["access_token"].get<std::string>();
  if (body.contains("refresh_token") && body["refresh_token"].is_string()) {
    tokens.refresh_token = body["refresh_token"].get<std::string>();
  }
  if (body.contains("expires_in") && body["expires_in"].is_number()) {
    tokens.expires_at = unix_now() + static_cast<std::int64_t>(body["expires_in"].get<double>());
  }
  tokens.scopes = body.contains("scope") && body["scope"].is_string() ? split_scopes(body["scope"].get<std::string>())
                                                                       : requested;
  answer.tokens = std::move(tokens);
  return answer;
}

Registration register_client(const DiscoveryContext& context, const ServerMetadata& server,
                             const std::string& redirect_uri, const std::vector<std::string>& scopes) {
  const auto& supported = server.token_endpoint_auth_methods_supported;
  json metadata = {{"client_name", "Aurite"},
                   {"redirect_uris", {redirect_uri}},
                   {"grant_types", {"authorization_code", "refresh_token"}},
                   {"response_types", {"code"}},
                   {"application_type", "native"}};
  // A client that keeps no secret is what a command-line tool is; ask for more only when
  // the server accepts nothing less.
  if (supported.empty() || listed(supported, "none")) {
    metadata["token_endpoint_auth_method"] = "none";
  } else if (listed(supported, "client_secret_basic")) {
    metadata["token_endpoint_auth_method"] = "client_secret_basic";
  } else if (listed(supported, "client_secret_post")) {
    metadata["token_endpoint_auth_method"] = "client_secret_post";
  }
  if (!scopes.empty()) metadata["scope"] = join_scopes(scopes);
  const auto response = post(context, *server.registration_endpoint, "client registration",
                             {{"Content-Type", "application/json"}}, metadata.dump());
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.head.status < 200 || response.head.status >= 300 || !body.is_object() || !body.contains("client_id") ||
      !body["client_id"].is_string()) {
    std::string said;
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
      said = ": " + printable(body["error"].get<std::string>());
      if (body.contains("error_description") && body["error_description"].is_string()) {
        said += " (" + printable(body["error_description"].get<std::string>()) + ")";
      }
    }
    throw Error(ErrorCode::kUnauthenticated,
                fmt::format("{}: the authorization server {} refused to register us (HTTP {}){}; set auth.client_id "
                            "to a client registered there by hand",
                            context.client_name, net::display_url(server.issuer), response.head.status, said));
  }
  Registration registration;
  registration.client_id = body["client_id"].get<std::string>();
  if (body.contains("client_secret") && body["client_secret"].is_string()) {
    registration.client_secret = body["client_secret"].get<std::string>();
  }
  registration.auth_method = body.contains("token_endpoint_auth_method") && body["token_endpoint_auth_method"].is_string()
                                 ? body["token_endpoint_auth_method"].get<std::string>()
                                 : choose_auth_method(server, registration.client_secret.has_value());
  registration.redirect_uri = redirect_uri;
  registration.dynamic = true;
  return registration;
}

}  // namespace aurite::mcp::auth
