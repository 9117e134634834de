// mcp/auth — OAuth 2.1 for url clients, as the MCP authorization specification
// (2025-11-25, 2026-07-28) has a client do it: discovery from the server's 401,
// registration (a pre-registered client, a Client ID Metadata Document, or dynamic
// registration), the authorization code flow with PKCE (S256), the resource parameter
// and iss verification, client credentials for services, refresh before expiry, and
// step-up when the server asks for more scope.
//
// Tokens and registrations are kept in a secrets::SecretStore under "mcp-oauth/CLIENT",
// so every process on the same store uses (and refreshes) the same ones. Nothing here
// logs or puts into an error a token, a code, a verifier or a secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aurite/config/models.hpp"
#include "aurite/secrets/secret_store.hpp"

namespace aurite::mcp::auth {

// A server refused a request: what it said and what we had sent.
struct Refusal {
  long status = 0;                              // 401 or 403
  std::optional<std::string> www_authenticate;
  std::optional<std::string> sent_authorization;  // the Authorization header the request carried
};

// What the transport asks of an authorizer. Thread-safe.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // The Authorization header for the next request ("Bearer ..."), refreshed first when
  // it is about to expire; nullopt while there is no token (the server's 401 says how
  // to get one).
  virtual std::optional<std::string> authorization() = 0;
  // Gets a token that may do better than the refused one (refresh, discovery again, a
  // broader scope, a login where one may happen). True: send the request again. Throws
  // Error(kUnauthenticated) naming the client and what to run when a login is needed
  // and may not happen here, or when the authorization server refuses us.
  virtual bool recover(const Refusal& refusal) = 0;
  // The protocol version the server speaks, once known (discovery requests carry it).
  virtual void set_protocol_version(const std::string& version) = 0;
};

// How a login that needs a person happens.
enum class LoginMode {
  kRefuse,     // runs and servers: a missing login is an error saying "aurite mcp login NAME"
  kBrowser,    // open the authorization URL in a browser where there is one; always print it
  kNoBrowser,  // fetch the authorization URL ourselves and follow its redirects (automation)
};

struct AuthorizerOptions {
  std::shared_ptr<secrets::SecretStore> store;  // null: tokens live as long as the authorizer
  LoginMode login = LoginMode::kRefuse;
  std::chrono::seconds login_timeout{300};
  // Shows the authorization URL to the person logging in (kBrowser); default: stderr.
  std::function<void(const std::string& url)> show_url;
  std::filesystem::path base_dir;  // private_key_file is relative to it
  std::optional<std::string> ca_file;
};

// The authorizer of a url client whose config has `auth`.
std::shared_ptr<Authorizer> make_authorizer(const config::ClientConfig& client, AuthorizerOptions options);

// The name a client's tokens are stored under.
std::string secret_name(const std::string& client_id);

// What `aurite mcp auth-status` shows of a stored login: never a token.
struct StoredLogin {
  std::string server_url;
  std::string issuer;
  std::string client_id;       // the OAuth client id (public), not ours
  std::string grant;
  bool has_tokens = false;     // false after a refresh token was refused: log in again
  std::vector<std::string> scopes;
  std::optional<std::int64_t> expires_at;  // Unix seconds
  bool refreshable = false;
  std::int64_t obtained_at = 0;
};
std::optional<StoredLogin> stored_login(secrets::SecretStore& store, const std::string& client_id);

}  // namespace aurite::mcp::auth
