// The authorization server's two endpoints we POST to: the token endpoint (every grant,
// with the client authentication the registration says) and dynamic client
// registration (RFC 7591).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aurite/net/url.hpp"
#include "mcp/auth/client_assertion.hpp"
#include "mcp/auth/metadata.hpp"
#include "mcp/auth/token_record.hpp"

namespace aurite::mcp::auth {

// How we prove which client we are at the token endpoint.
struct ClientAuthentication {
  std::string client_id;
  std::string method;                  // none, client_secret_basic, client_secret_post, private_key_jwt
  std::optional<std::string> secret;
  const SigningKey* key = nullptr;     // private_key_jwt
  std::string audience;                // the issuer, the assertion's aud
};

// What the token endpoint said: tokens, or the OAuth error (RFC 6749 §5.2).
struct TokenAnswer {
  std::optional<TokenSet> tokens;
  long status = 0;
  std::string error;        // "invalid_grant", ...
  std::string description;  // error_description, printable and bounded
};

// POSTs `fields` (grant_type and the grant's own) to `token_endpoint`. Throws only when
// the server cannot be reached or its answer is not OAuth's; a refusal is an answer.
// `requested` stands for the granted scopes when the answer names none.
TokenAnswer request_tokens(const DiscoveryContext& context, const std::string& token_endpoint,
                           const ClientAuthentication& client, net::FormFields fields,
                           const std::vector<std::string>& requested);

// Registers us as a native client with `redirect_uri` (RFC 7591), asking for the
// authentication method the server supports (none first: nothing secret is then kept).
Registration register_client(const DiscoveryContext& context, const ServerMetadata& server,
                             const std::string& redirect_uri, const std::vector<std::string>& scopes);

// The method a client with (or without) a secret uses at `server`'s token endpoint.
std::string choose_auth_method(const ServerMetadata& server, bool has_secret);

}  // namespace aurite::mcp::auth
