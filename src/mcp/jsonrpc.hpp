// mcp/jsonrpc — building and reading JSON-RPC 2.0 messages (internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aurite/common/error.hpp"

namespace aurite::mcp::jsonrpc {

using Json = nlohmann::json;

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// The stateless revision's "that protocol version is not one of mine" (data.supported).
inline constexpr int kUnsupportedProtocolVersion = -32022;

enum class Kind { kRequest, kNotification, kResponse, kInvalid };

// What a message is. Servers order keys as they like, so only presence counts.
Kind classify(const Json& message);

Json make_request(std::int64_t id, const std::string& method, Json params);
Json make_notification(const std::string& method, Json params);
Json make_result(const Json& id, Json result);
Json make_error(const Json& id, int code, const std::string& message);

// Our ids are integers; a server may echo them as numbers or (rarely) strings.
std::optional<std::int64_t> integer_id(const Json& id);

// The Error a JSON-RPC error object becomes, naming the client and the method.
Error error_from_response(const std::string& client_id, const std::string& method, const Json& error);

}  // namespace aurite::mcp::jsonrpc
