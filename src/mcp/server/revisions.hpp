// mcp/server/revisions — the protocol revisions the server library serves and what
// differs between the handshake revisions (through 2025-11-25) and the stateless one.
#pragma once

#include <string>
#include <string_view>

namespace aurite::mcp::detail {

// The stateless revision: no initialize, no sessions, every request carries its
// protocol version and the client's capabilities in _meta (SEP-2575).
inline constexpr std::string_view kStatelessProtocolVersion = "2026-07-28";
// The _meta keys of a stateless request.
inline constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// JSON-RPC errors the stateless revision adds.
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kUnsupportedProtocolVersion = -32022;
inline constexpr int kMissingRequiredClientCapability = -32021;

inline bool is_stateless_version(const std::string& version) { return version == kStatelessProtocolVersion; }

// Methods of the handshake revisions that the stateless one removed.
inline bool removed_in_stateless(const std::string& method) {
  return method == "initialize" || method == "ping" || method == "logging/setLevel" ||
         method == "resources/subscribe" || method == "resources/unsubscribe";
}

// Results a client may cache, which carry ttlMs and cacheScope (SEP-2549).
inline bool cacheable(const std::string& method) {
  return method == "server/discover" || method == "tools/list" || method == "prompts/list" ||
         method == "resources/list" || method == "resources/templates/list" || method == "resources/read";
}

}  // namespace aurite::mcp::detail
