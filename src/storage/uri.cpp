#include "storage/uri.hpp"

#include "aurite/common/text.hpp"

namespace aurite::storage {
namespace {

struct UriParts {
  std::string scheme;    // "postgresql"
  std::string userinfo;  // "user:secret" (may be empty)
  bool has_userinfo = false;
  std::string hosts;     // "host:5432" or "h1,h2:5433" or "[::1]:5432"
  std::string path;      // "/db" (may be empty)
  std::string query;     // "sslmode=require" without '?'
  bool has_query = false;
};

UriParts split(const std::string& uri) {
  UriParts p;
  std::string rest = uri;
  if (auto pos = rest.find("://"); pos != std::string::npos) {
    p.scheme = rest.substr(0, pos);
    rest = rest.substr(pos + 3);
  }
  if (auto q = rest.find('?'); q != std::string::npos) {
    p.query = rest.substr(q + 1);
    p.has_query = true;
    rest.resize(q);
  }
  // The last '@' ends the user info: passwords may hold '@' when percent-encoding is skipped.
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    p.userinfo = rest.substr(0, at);
    p.has_userinfo = true;
    rest = rest.substr(at + 1);
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    p.path = rest.substr(slash);
    rest.resize(slash);
  }
  p.hosts = rest;
  return p;
}

std::string mask_query(const std::string& query) {
  std::string out;
  std::size_t start = 0;
  for (bool first = true; start <= query.size(); first = false) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string item = query.substr(start, end - start);
    const auto eq = item.find('=');
    if (eq != std::string::npos && to_lower(trim(item.substr(0, eq))) == "password") {
      item = item.substr(0, eq) + "=***";
    }
    out += (first ? "" : "&") + item;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string mask_pg_uri(const std::string& uri) {
  const UriParts p = split(uri);
  std::string out = p.scheme.empty() ? "" : p.scheme + "://";
  if (p.has_userinfo) {
    const auto colon = p.userinfo.find(':');
    out += colon == std::string::npos ? p.userinfo : p.userinfo.substr(0, colon) + ":***";
    out += "@";
  }
  out += p.hosts + p.path;
  // Appended in two steps: GCC 12 warns (-Wrestrict, a false positive) on "?" + string.
  if (p.has_query) {
    out += '?';
    out += mask_query(p.query);
  }
  return out;
}

std::string pg_uri_endpoint(const std::string& uri) {
  const UriParts p = split(uri);
  std::string hosts = p.hosts.empty() ? "localhost" : p.hosts;
  // A port is present when the text after the last ']' (IPv6) holds a ':'.
  const auto bracket = hosts.rfind(']');
  const auto tail = bracket == std::string::npos ? hosts : hosts.substr(bracket);
  if (tail.find(':') == std::string::npos) hosts += ":5432";
  return hosts;
}

std::string pg_uri_password(const std::string& uri) {
  const UriParts p = split(uri);
  if (const auto colon = p.userinfo.find(':'); p.has_userinfo && colon != std::string::npos) {
    return p.userinfo.substr(colon + 1);
  }
  std::size_t start = 0;
  while (p.has_query && start <= p.query.size()) {
    auto end = p.query.find('&', start);
    if (end == std::string::npos) end = p.query.size();
    const std::string item = p.query.substr(start, end - start);
    const auto eq = item.find('=');
    if (eq != std::string::npos && to_lower(trim(item.substr(0, eq))) == "password") return item.substr(eq + 1);
    start = end + 1;
  }
  return "";
}

std::string scrub_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

}  // namespace aurite::storage
