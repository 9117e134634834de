// mcp/server/revisions — the protocol revisions the server library serves and what
// differs between the handshake revisions (through 2025-11-25) and the stateless one.
#pragma once

#include <string>
#include <string_view>

#include "aurite/mcp/types.hpp"
#include "mcp/jsonrpc.hpp"

namespace aurite::mcp::detail {

// The stateless revision and its _meta keys are the client's too (aurite/mcp/types.hpp).
using ::aurite::mcp::kMetaClientCapabilities;
using ::aurite::mcp::kMetaLogLevel;
using ::aurite::mcp::kMetaProtocolVersion;
using ::aurite::mcp::kMetaServerInfo;
using ::aurite::mcp::kStatelessProtocolVersion;

// JSON-RPC errors the stateless revision adds.
inline constexpr int kHeaderMismatch = -32020;
using jsonrpc::kUnsupportedProtocolVersion;
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
