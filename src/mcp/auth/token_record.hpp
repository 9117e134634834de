// What one client's login is, as stored (sealed) in the SecretStore: the OAuth client we
// registered as, and the tokens we hold. JSON inside, never shown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aurite::mcp::auth {

struct Registration {
  std::string client_id;
  std::optional<std::string> client_secret;  // from dynamic registration
  std::string auth_method;                   // none, client_secret_basic, client_secret_post, private_key_jwt
  std::string redirect_uri;                  // the one registered, when registration named one
  bool dynamic = false;                      // registered by us (so: ours to re-register)
};

struct TokenSet {
  std::string access_token;
  std::optional<std::string> refresh_token;
  std::optional<std::int64_t> expires_at;    // Unix seconds
  std::vector<std::string> scopes;           // granted (or, when the server said none, requested)
};

struct TokenRecord {
  std::string server_url;
  std::string issuer;
  std::string token_endpoint;  // so a refresh needs no discovery first
  std::string resource;
  std::string grant;
  Registration registration;
  std::optional<TokenSet> tokens;
  std::int64_t obtained_at = 0;
};

std::string to_text(const TokenRecord& record);
// nullopt when `text` is not a record of ours (then it is treated as no login at all).
std::optional<TokenRecord> record_from_text(const std::string& text);

// Seconds since the Unix epoch, as records keep times.
std::int64_t unix_now();

// Whether `item` is in a list of scopes or of what a server's metadata says it supports.
bool listed(const std::vector<std::string>& list, const std::string& item);

std::vector<std::string> split_scopes(const std::string& text);
std::string join_scopes(const std::vector<std::string>& scopes);

}  // namespace aurite::mcp::auth
