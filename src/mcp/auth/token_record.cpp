#include "mcp/auth/token_record.hpp"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

namespace aurite::mcp::auth {
namespace {

using nlohmann::json;

template <typename T>
void put(json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

}  // namespace

std::string to_text(const TokenRecord& record) {
  json registration = {{"client_id", record.registration.client_id},
                       {"auth_method", record.registration.auth_method},
                       {"redirect_uri", record.registration.redirect_uri},
                       {"dynamic", record.registration.dynamic}};
  put(registration, "client_secret", record.registration.client_secret);
  json out = {{"version", 1},
              {"server_url", record.server_url},
              {"issuer", record.issuer},
              {"token_endpoint", record.token_endpoint},
              {"resource", record.resource},
              {"grant", record.grant},
              {"registration", registration},
              {"obtained_at", record.obtained_at}};
  if (record.tokens) {
    json tokens = {{"access_token", record.tokens->access_token}, {"scopes", record.tokens->scopes}};
    put(tokens, "refresh_token", record.tokens->refresh_token);
    put(tokens, "expires_at", record.tokens->expires_at);
    out["tokens"] = tokens;
  }
  return out.dump();
}

std::optional<TokenRecord> record_from_text(const std::string& text) {
  const json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object() || in.value("version", 0) != 1) return std::nullopt;
  try {
    TokenRecord record;
    record.server_url = in.at("server_url").get<std::string>();
    record.issuer = in.at("issuer").get<std::string>();
    record.token_endpoint = in.at("token_endpoint").get<std::string>();
    record.resource = in.at("resource").get<std::string>();
    record.grant = in.at("grant").get<std::string>();
    record.obtained_at = in.at("obtained_at").get<std::int64_t>();
    const json& registration = in.at("registration");
    record.registration.client_id = registration.at("client_id").get<std::string>();
    record.registration.auth_method = registration.at("auth_method").get<std::string>();
    record.registration.redirect_uri = registration.at("redirect_uri").get<std::string>();
    record.registration.dynamic = registration.at("dynamic").get<bool>();
    if (registration.contains("client_secret")) {
      record.registration.client_secret = registration["client_secret"].get<std::string>();
    }
    if (in.contains("tokens")) {
      const json& tokens = in["tokens"];
      TokenSet set;
      set.access_token = tokens.at("access_token").get<std::string>();
      set.scopes = tokens.at("scopes").get<std::vector<std::string>>();
      if (tokens.contains("refresh_token")) set.refresh_token = tokens["refresh_token"].get<std::string>();
      if (tokens.contains("expires_at")) set.expires_at = tokens["expires_at"].get<std::int64_t>();
      record.tokens = std::move(set);
    }
    return record;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool listed(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find(' ', start);
    const auto word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!word.empty()) out.push_back(word);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) out += (out.empty() ? "" : " ") + scope;
  return out;
}

}  // namespace aurite::mcp::auth
