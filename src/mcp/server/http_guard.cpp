// mcp/server/http_guard — Host/Origin validation and session ids for the HTTP transport.
#include "mcp/server/http_guard.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "aurite/common/error.hpp"

namespace aurite::mcp::detail {
namespace {

// The host of "host", "host:port", "[v6]" or "[v6]:port".
std::string host_part(const std::string& authority) {
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    return close == std::string::npos ? authority : authority.substr(0, close + 1);
  }
  const auto colon = authority.find(':');
  return colon == std::string::npos ? authority : authority.substr(0, colon);
}

// The host of an Origin ("scheme://host[:port]"); empty when it is not one ("null").
std::string origin_host(const std::string& origin) {
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string::npos) return "";
  return host_part(origin.substr(scheme_end + 3));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

bool is_loopback_name(const std::string& host) {
  const std::string h = lower(host);
  return h == "localhost" || h == "127.0.0.1" || h == "::1" || h == "[::1]";
}

std::optional<std::string> rebinding_refusal(const std::string& bound_host, const std::string& host_header,
                                             const std::string& origin_header, const std::vector<std::string>& allowed) {
  if (!origin_header.empty() && std::find(allowed.begin(), allowed.end(), origin_header) != allowed.end()) {
    return std::nullopt;
  }
  if (!is_loopback_name(bound_host)) {
    if (origin_header.empty()) return std::nullopt;
    return "Origin " + origin_header + " is not allowed";
  }
  // A browser tricked by DNS rebinding sends the attacker's name in Host (and Origin).
  if (!host_header.empty() && !is_loopback_name(host_part(host_header))) {
    return "Host " + host_header + " is not this local server";
  }
  if (!origin_header.empty() && !is_loopback_name(origin_host(origin_header))) {
    return "Origin " + origin_header + " is not allowed";
  }
  return std::nullopt;
}

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(ErrorCode::kInternal, std::string("getrandom failed: ") + std::strerror(errno));
    filled += static_cast<std::size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (const unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

}  // namespace aurite::mcp::detail
