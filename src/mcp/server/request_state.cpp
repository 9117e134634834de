// mcp/server/request_state — what a handler may rely on across the rounds of a multi
// round-trip request: the client's answers, the state it echoes, and sealing that
// state (HMAC-SHA256 under a per-process key) so a changed one is recognised.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <string>

#include "aurite/mcp/server.hpp"
#include "mcp/server/server_session.hpp"

namespace aurite::mcp {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string hex(const unsigned char* data, std::size_t size) {
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

std::optional<std::string> unhex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const auto hi = std::string_view(kHex).find(text[i]), lo = std::string_view(kHex).find(text[i + 1]);
    if (hi == std::string_view::npos || lo == std::string_view::npos) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string mac(const std::string& key, const std::string& payload) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), digest.data(), &size);
  return hex(digest.data(), size);
}

}  // namespace

void McpServer::require_client_capability(const std::string& capability) {
  if (!client_capabilities().contains(capability)) throw MissingClientCapability{capability};
}

Json McpServer::input_responses() {
  const auto* call = detail::current_call();
  return call ? call->input_responses : Json::object();
}

std::string McpServer::request_state() {
  const auto* call = detail::current_call();
  return call ? call->request_state : "";
}

std::string McpServer::seal_state(const std::string& payload) const {
  const std::string body = hex(reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  return body + "." + mac(state_key_, body);
}

std::optional<std::string> McpServer::open_state(const std::string& token) const {
  const auto dot = token.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string body = token.substr(0, dot), tag = token.substr(dot + 1);
  const std::string expected = mac(state_key_, body);
  if (tag.size() != expected.size() || CRYPTO_memcmp(tag.data(), expected.data(), tag.size()) != 0) return std::nullopt;
  return unhex(body);
}

}  // namespace aurite::mcp
