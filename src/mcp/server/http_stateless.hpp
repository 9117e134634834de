// mcp/server/http_stateless — what the HTTP transport checks of a request in the
// stateless revision (2026-07-28) before the server sees it: its _meta and the
// MCP-Protocol-Version header that must mirror it.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace aurite::mcp::detail {

// Whether a POST without a session speaks the stateless revision: its header names
// that revision, or its _meta carries a protocol version (a handshake-era request never does).
bool speaks_stateless(const nlohmann::json& message, const std::string& header_version);

// An HTTP status and the JSON-RPC error (carrying the request's id) for a stateless
// request that cannot be served; nullopt when it can. In the order the revision
// gives: a missing header (-32020), missing _meta fields (-32602), a header that does
// not match _meta (-32020), a version we do not serve (-32022 with data.supported and
// data.requested).
struct Refusal {
  int status;
  nlohmann::json body;
};
std::optional<Refusal> check_stateless(const nlohmann::json& message, const std::string& header_version);

}  // namespace aurite::mcp::detail
