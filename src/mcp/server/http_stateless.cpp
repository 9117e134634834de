// mcp/server/http_stateless — request checks of the stateless revision on HTTP.
#include "mcp/server/http_stateless.hpp"

#include "mcp/jsonrpc.hpp"
#include "mcp/server/revisions.hpp"

namespace aurite::mcp::detail {
namespace {

const nlohmann::json& meta_of(const nlohmann::json& message) {
  static const nlohmann::json kNone;
  if (!message.contains("params") || !message["params"].is_object()) return kNone;
  const auto& params = message["params"];
  return params.contains("_meta") && params["_meta"].is_object() ? params["_meta"] : kNone;
}

Refusal refusal(const nlohmann::json& message, int code, const std::string& text, nlohmann::json data = nullptr) {
  nlohmann::json body = jsonrpc::make_error(message.value("id", nlohmann::json()), code, text);
  if (!data.is_null()) body["error"]["data"] = std::move(data);
  return {400, std::move(body)};
}

}  // namespace

bool speaks_stateless(const nlohmann::json& message, const std::string& header_version) {
  return is_stateless_version(header_version) || meta_of(message).contains(kMetaProtocolVersion);
}

std::optional<Refusal> check_stateless(const nlohmann::json& message, const std::string& header_version) {
  if (header_version.empty()) return refusal(message, kHeaderMismatch, "Missing MCP-Protocol-Version header");
  const auto& meta = meta_of(message);
  const bool has_version = meta.contains(kMetaProtocolVersion) && meta[kMetaProtocolVersion].is_string();
  const bool has_capabilities = meta.contains(kMetaClientCapabilities) && meta[kMetaClientCapabilities].is_object();
  if (!has_version || !has_capabilities) {
    std::string missing = has_version ? "" : kMetaProtocolVersion;
    if (!has_capabilities) missing += std::string(missing.empty() ? "" : ", ") + kMetaClientCapabilities;
    return refusal(message, jsonrpc::kInvalidParams, "Invalid params: missing _meta keys: " + missing);
  }
  const std::string version = meta[kMetaProtocolVersion];
  if (version != header_version) {
    return refusal(message, kHeaderMismatch, "MCP-Protocol-Version header does not match _meta " + std::string(kMetaProtocolVersion));
  }
  if (!is_stateless_version(version)) {
    return refusal(message, kUnsupportedProtocolVersion, "Unsupported protocol version " + version,
                   {{"supported", nlohmann::json::array({kStatelessProtocolVersion})}, {"requested", version}});
  }
  return std::nullopt;
}

}  // namespace aurite::mcp::detail
