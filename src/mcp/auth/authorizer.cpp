// The OAuth client of one url client. One mutex orders everything: requests that are
// refused at once wait for the one that renews the token and then use its result (a
// refused request whose token is no longer the current one just goes again).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/mcp/auth.hpp"
#include "aurite/secrets/encoding.hpp"
#include "mcp/auth/challenge.hpp"
#include "mcp/auth/client_assertion.hpp"
#include "mcp/auth/login_callback.hpp"
#include "mcp/auth/metadata.hpp"
#include "mcp/auth/token_endpoint.hpp"
#include "mcp/auth/token_record.hpp"

namespace aurite::mcp::auth {
namespace {

// A token this close to its expiry is refreshed before it is sent.
constexpr std::int64_t kRefreshMarginSeconds = 60;

std::vector<std::string> with(std::vector<std::string> scopes, const std::vector<std::string>& more) {
  for (const auto& scope : more) {
    if (!listed(scopes, scope)) scopes.push_back(scope);
  }
  return scopes;
}

class OAuthAuthorizer final : public Authorizer {
 public:
  OAuthAuthorizer(config::ClientConfig client, AuthorizerOptions options)
      : client_(std::move(client)), auth_(*client_.auth), options_(std::move(options)),
        name_("MCP client '" + client_.client_id + "'"), secret_name_(secret_name(client_.client_id)) {
    if (auth_.private_key_file) {
      key_ = SigningKey::from_file(config::resolve_path(options_.base_dir, *auth_.private_key_file));
    }
  }

  std::optional<std::string> authorization() override {
    std::lock_guard lock(mutex_);
    load();
    if (!record_ || !record_->tokens) return std::nullopt;
    const auto& tokens = *record_->tokens;
    if (tokens.expires_at && *tokens.expires_at - kRefreshMarginSeconds <= unix_now()) {
      if (tokens.refresh_token) {
        refresh("it expires");
      } else if (auth_.grant == "client_credentials") {
        renew_client_credentials();
      }
    }
    return header();
  }

  bool recover(const Refusal& refusal) override {
    std::lock_guard lock(mutex_);
    load();
    // Another request renewed the token while this one was on its way, or another
    // process did (a refresh, or `aurite mcp login` while this one serves).
    if (adopt_stored()) return true;
    const auto current = header();
    if (current && current != refusal.sent_authorization) return true;
    const auto challenge =
        refusal.www_authenticate ? parse_bearer_challenge(*refusal.www_authenticate) : std::nullopt;
    const std::vector<std::string> challenged = challenge && challenge->scope() ? split_scopes(*challenge->scope())
                                                                                : std::vector<std::string>{};
    const bool insufficient_scope = refusal.status == 403 && challenge && challenge->error() == "insufficient_scope";
    if (refusal.status == 403 && !insufficient_scope) return false;  // more scope would not help
    std::vector<std::string> scopes;
    if (insufficient_scope) {
      const std::vector<std::string> granted = record_ && record_->tokens ? record_->tokens->scopes
                                                                          : std::vector<std::string>{};
      // Step-up: a server that asks again for scopes it has been granted will not be
      // satisfied by asking for them once more.
      if (!challenged.empty() &&
          std::all_of(challenged.begin(), challenged.end(), [&](const auto& s) { return listed(granted, s); })) {
        return false;
      }
      scopes = with(granted, challenged);
      spdlog::info("{}: the server wants more scope ({}); authorizing again", name_, join_scopes(challenged));
    } else if (refusal.sent_authorization && record_ && record_->tokens && record_->tokens->refresh_token) {
      if (refresh("the server refused it")) return true;
    }
    // Discovery again: the server may have moved to another authorization server.
    obtain(challenge, scopes.empty() ? challenged : scopes);
    return true;
  }

  void set_protocol_version(const std::string& version) override {
    std::lock_guard lock(mutex_);
    protocol_version_ = version;
  }

 private:
  DiscoveryContext context() {
    return DiscoveryContext{http_, name_, *client_.url, protocol_version_, options_.ca_file};
  }

  std::optional<std::string> header() const {
    if (!record_ || !record_->tokens) return std::nullopt;
    return "Bearer " + record_->tokens->access_token;
  }

  // The stored login, once, if it is for this server.
  void load() {
    if (loaded_) return;
    loaded_ = true;
    if (!options_.store) return;
    const auto text = options_.store->get(secret_name_);
    if (!text) return;
    auto record = record_from_text(*text);
    if (record && record->server_url == *client_.url && record->grant == auth_.grant) record_ = std::move(record);
  }

  // Takes the stored login when it holds a token other than ours; true if it did.
  bool adopt_stored() {
    if (!options_.store) return false;
    const auto text = options_.store->get(secret_name_);
    auto record = text ? record_from_text(*text) : std::nullopt;
    if (!record || !record->tokens || record->server_url != *client_.url || record->grant != auth_.grant) return false;
    if (record_ && record_->tokens && record_->tokens->access_token == record->tokens->access_token) return false;
    record_ = std::move(record);
    return true;
  }

  void save() {
    if (options_.store && record_) options_.store->put(secret_name_, to_text(*record_));
  }

  ClientAuthentication authentication(const TokenRecord& record) const {
    ClientAuthentication out;
    out.client_id = record.registration.client_id;
    out.method = record.registration.auth_method;
    out.audience = record.issuer;
    out.key = key_ ? &*key_ : nullptr;
    if (record.registration.client_secret) {
      out.secret = record.registration.client_secret;
    } else if (auth_.client_secret_env && !record.registration.dynamic) {
      out.secret = configured_secret();
    }
    return out;
  }

  std::string configured_secret() const {
    const auto value = get_env(*auth_.client_secret_env);
    if (!value || value->empty()) {
      throw Error(ErrorCode::kInvalidConfig, fmt::format("{}: auth.client_secret_env names {}, which is not set", name_,
                                                         *auth_.client_secret_env));
    }
    return *value;
  }

  // Refreshes under the store's lock, so processes sharing it refresh once: one that
  // finds a token other than the one it holds adopts it. False when the refresh token
  // was refused (the login is then over; the tokens are dropped).
  bool refresh(const std::string& why) {
    const std::string held = record_->tokens->access_token;
    bool refused = false;
    auto renew = [&](TokenRecord record) -> std::optional<TokenRecord> {
      if (!record.tokens || !record.tokens->refresh_token) return std::nullopt;
      if (record.tokens->access_token != held) return record;  // another process refreshed it
      spdlog::debug("{}: refreshing the access token ({})", name_, why);
      net::FormFields fields = {{"grant_type", "refresh_token"}, {"refresh_token", *record.tokens->refresh_token}};
      if (!record.resource.empty()) fields.emplace_back("resource", record.resource);
      const auto answer = request_tokens(context(), record.token_endpoint, authentication(record), std::move(fields),
                                         record.tokens->scopes);
      if (!answer.tokens) {
        spdlog::warn("{}: the authorization server refused the refresh token ({}{}); a new login is needed", name_,
                     answer.error, answer.description.empty() ? "" : ": " + answer.description);
        refused = true;
        record.tokens.reset();
        return record;
      }
      TokenSet renewed = *answer.tokens;
      // RFC 6749 §6: a server that issues no new refresh token leaves the old one valid.
      if (!renewed.refresh_token) renewed.refresh_token = record.tokens->refresh_token;
      record.tokens = std::move(renewed);
      record.obtained_at = unix_now();
      return record;
    };
    if (options_.store) {
      const auto stored = options_.store->update(secret_name_, [&](const std::optional<std::string>& text)
                                                                   -> std::optional<std::string> {
        auto record = text ? record_from_text(*text) : std::nullopt;
        if (!record) record = record_;
        auto next = renew(*record);
        return next ? std::optional(to_text(*next)) : std::nullopt;
      });
      record_ = stored ? record_from_text(*stored) : std::nullopt;
    } else if (auto next = renew(*record_)) {
      record_ = std::move(next);
    }
    return !refused && record_ && record_->tokens;
  }

  void renew_client_credentials() {
    obtain(std::nullopt, record_ && record_->tokens ? record_->tokens->scopes : std::vector<std::string>{});
  }

  // A new token from the start: discovery, registration, the grant.
  void obtain(const std::optional<BearerChallenge>& challenge, std::vector<std::string> scopes) {
    const DiscoveryContext where = context();
    const ResourceMetadata resource = discover_resource(where, challenge);
    const std::string& issuer = resource.authorization_servers.front();
    const ServerMetadata server = discover_server(where, issuer);
    if (!auth_.scopes.empty()) {
      scopes = with(auth_.scopes, scopes);
    } else if (scopes.empty()) {
      scopes = resource.scopes_supported;
    }
    // A registration belongs to the server that issued it: a server that moved to
    // another authorization server gets a registration of its own there (SEP-2352).
    if (record_ && record_->issuer != issuer) {
      spdlog::info("{}: the server now names the authorization server {}; registering there", name_,
                   net::display_url(issuer));
      record_.reset();
    }
    TokenRecord record;
    record.server_url = *client_.url;
    record.issuer = issuer;
    record.token_endpoint = server.token_endpoint;
    record.resource = resource.resource;
    record.grant = auth_.grant;
    TokenAnswer answer;
    if (auth_.grant == "client_credentials") {
      record.registration = configured_registration(server);
      net::FormFields fields = {{"grant_type", "client_credentials"}, {"resource", resource.resource}};
      if (!scopes.empty()) fields.emplace_back("scope", join_scopes(scopes));
      answer = request_tokens(where, server.token_endpoint, authentication(record), std::move(fields), scopes);
    } else {
      // Refresh tokens come with offline_access where the server defines it (SEP-2207).
      if (listed(server.scopes_supported, "offline_access") && !scopes.empty()) scopes = with(scopes, {"offline_access"});
      answer = authorization_code(where, server, resource, scopes, record);
    }
    if (!answer.tokens) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the authorization server {} refused the token request: {}{}", name_,
                              net::display_url(issuer), answer.error,
                              answer.description.empty() ? "" : " (" + answer.description + ")"));
    }
    record.tokens = std::move(answer.tokens);
    record.obtained_at = unix_now();
    record_ = std::move(record);
    save();
    spdlog::info("{}: authorized by {}{}", name_, net::display_url(issuer),
                 record_->tokens->scopes.empty() ? "" : " for " + join_scopes(record_->tokens->scopes));
  }

  Registration configured_registration(const ServerMetadata& server) const {
    Registration registration;
    registration.client_id = *auth_.client_id;
    registration.auth_method = key_ ? "private_key_jwt" : choose_auth_method(server, auth_.client_secret_env.has_value());
    return registration;
  }

  // How we are known to `server`: pre-registered, a metadata document, the registration
  // we made there before (when its redirect still fits), or a new registration.
  Registration registration_for(const DiscoveryContext& where, const ServerMetadata& server,
                                const std::string& redirect_uri, const std::vector<std::string>& scopes) {
    if (auth_.client_id) {
      Registration registration = configured_registration(server);
      registration.redirect_uri = redirect_uri;
      return registration;
    }
    if (server.client_id_metadata_document_supported && auth_.client_metadata_url) {
      return Registration{*auth_.client_metadata_url, std::nullopt, "none", redirect_uri, false};
    }
    if (record_ && record_->issuer == server.issuer && record_->registration.dynamic &&
        record_->registration.redirect_uri == redirect_uri) {
      return record_->registration;
    }
    if (!server.registration_endpoint) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the authorization server {} offers no client registration: register a client there "
                              "and set auth.client_id (and auth.client_secret_env)",
                              name_, net::display_url(server.issuer)));
    }
    return register_client(where, server, redirect_uri, scopes);
  }

  TokenAnswer authorization_code(const DiscoveryContext& where, const ServerMetadata& server,
                                 const ResourceMetadata& resource, const std::vector<std::string>& scopes,
                                 TokenRecord& record) {
    if (options_.login == LoginMode::kRefuse) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{} ({}) needs a login: run `aurite mcp login {}` once, then run this again", name_,
                              net::display_url(*client_.url), client_.client_id));
    }
    if (!listed(server.code_challenge_methods_supported, "S256")) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the authorization server {} does not offer PKCE with S256, which MCP requires: "
                              "refused",
                              name_, net::display_url(server.issuer)));
    }
    if (server.authorization_endpoint.empty()) {
      throw Error(ErrorCode::kProtocol, fmt::format("{}: the authorization server {} names no authorization_endpoint",
                                                    name_, net::display_url(server.issuer)));
    }
    LoginCallback callback(static_cast<int>(auth_.redirect_port.value_or(0)));
    record.registration = registration_for(where, server, callback.redirect_uri(), scopes);
    const std::string verifier = secrets::base64url_encode(secrets::random_bytes(32));
    const std::string state = secrets::base64url_encode(secrets::random_bytes(16));
    net::FormFields query = {{"response_type", "code"},
                             {"client_id", record.registration.client_id},
                             {"redirect_uri", callback.redirect_uri()},
                             {"code_challenge", secrets::base64url_encode(secrets::sha256(verifier))},
                             {"code_challenge_method", "S256"},
                             {"state", state},
                             {"resource", resource.resource}};
    if (!scopes.empty()) query.emplace_back("scope", join_scopes(scopes));
    const std::string url = server.authorization_endpoint +
                            (server.authorization_endpoint.find('?') == std::string::npos ? "?" : "&") +
                            net::form_encode(query);
    const auto deadline = std::chrono::steady_clock::now() + options_.login_timeout;
    if (options_.login == LoginMode::kNoBrowser) {
      follow_to_callback(http_, name_, url, callback.redirect_uri(), options_.ca_file);
    } else {
      if (options_.show_url) {
        options_.show_url(url);
      } else {
        std::cerr << "To log in to " << client_.client_id << ", open:\n  " << url << '\n';
      }
      open_browser(url);
    }
    const auto answer = callback.wait(deadline);
    if (!answer) {
      throw Error(ErrorCode::kTimeout, fmt::format("{}: no login came back to {} within {} s", name_,
                                                   callback.redirect_uri(), options_.login_timeout.count()));
    }
    check_callback(*answer, state, server);
    net::FormFields fields = {{"grant_type", "authorization_code"},
                              {"code", net::form_value(*answer, "code").value_or("")},
                              {"redirect_uri", callback.redirect_uri()},
                              {"code_verifier", verifier},
                              {"resource", resource.resource}};
    return request_tokens(where, server.token_endpoint, authentication(record), std::move(fields), scopes);
  }

  // RFC 6749 §4.1.2 and RFC 9207: the state must be ours; an iss, when there is one,
  // must be the issuer exactly, and one the server promised must be there.
  void check_callback(const net::FormFields& answer, const std::string& state, const ServerMetadata& server) const {
    if (auto error = net::form_value(answer, "error")) {
      const auto description = net::form_value(answer, "error_description");
      throw Error(ErrorCode::kUnauthenticated, fmt::format("{}: the login was refused: {}{}", name_, *error,
                                                           description ? " (" + *description + ")" : ""));
    }
    if (net::form_value(answer, "state") != state) {
      throw Error(ErrorCode::kUnauthenticated,
                  name_ + ": the login's redirect carries another state than ours (a forged redirect?): refused");
    }
    const auto iss = net::form_value(answer, "iss");
    if (iss && *iss != server.issuer) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the login's redirect names the issuer '{}', not '{}' (RFC 9207): refused", name_,
                              net::display_url(*iss), net::display_url(server.issuer)));
    }
    if (!iss && server.authorization_response_iss_parameter_supported) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the authorization server {} promises an iss in its redirect, and this one has none "
                              "(RFC 9207): refused",
                              name_, net::display_url(server.issuer)));
    }
    if (!net::form_value(answer, "code")) {
      throw Error(ErrorCode::kProtocol, name_ + ": the login's redirect carries no code");
    }
  }

  const config::ClientConfig client_;
  const config::ClientAuthConfig auth_;
  const AuthorizerOptions options_;
  const std::string name_;
  const std::string secret_name_;
  std::optional<SigningKey> key_;
  net::HttpClient http_;

  std::mutex mutex_;  // guards everything below, and orders renewals
  bool loaded_ = false;
  std::optional<TokenRecord> record_;
  std::string protocol_version_;
};

}  // namespace

std::string secret_name(const std::string& client_id) { return "mcp-oauth/" + client_id; }

std::shared_ptr<Authorizer> make_authorizer(const config::ClientConfig& client, AuthorizerOptions options) {
  if (!client.auth || !client.url) {
    throw Error(ErrorCode::kInternal, "make_authorizer: client '" + client.client_id + "' has no auth or no url");
  }
  return std::make_shared<OAuthAuthorizer>(client, std::move(options));
}

std::optional<StoredLogin> stored_login(secrets::SecretStore& store, const std::string& client_id) {
  const auto text = store.get(secret_name(client_id));
  if (!text) return std::nullopt;
  const auto record = record_from_text(*text);
  if (!record) return std::nullopt;
  StoredLogin login;
  login.server_url = record->server_url;
  login.issuer = record->issuer;
  login.client_id = record->registration.client_id;
  login.grant = record->grant;
  login.obtained_at = record->obtained_at;
  if (record->tokens) {
    login.has_tokens = true;
    login.scopes = record->tokens->scopes;
    login.expires_at = record->tokens->expires_at;
    login.refreshable = record->tokens->refresh_token.has_value();
  }
  return login;
}

}  // namespace aurite::mcp::auth
