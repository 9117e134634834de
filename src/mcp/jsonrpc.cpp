#include "mcp/jsonrpc.hpp"

#include <charconv>

namespace aurite::mcp::jsonrpc {

Kind classify(const Json& message) {
  // A "jsonrpc" that is not a string is invalid, not a reason to throw (value() would).
  const auto version = message.is_object() ? message.find("jsonrpc") : message.end();
  if (version == message.end() || *version != "2.0") return Kind::kInvalid;
  const bool has_id = message.contains("id") && !message["id"].is_null();
  if (message.contains("method")) {
    if (!message["method"].is_string()) return Kind::kInvalid;
    return has_id ? Kind::kRequest : Kind::kNotification;
  }
  if (has_id && (message.contains("result") || message.contains("error"))) return Kind::kResponse;
  return Kind::kInvalid;
}

Json make_request(std::int64_t id, const std::string& method, Json params) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

Json make_notification(const std::string& method, Json params) {
  Json out = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.empty()) out["params"] = std::move(params);
  return out;
}

Json make_result(const Json& id, Json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

Json make_error(const Json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

std::optional<std::int64_t> integer_id(const Json& id) {
  if (id.is_number_integer()) return id.get<std::int64_t>();
  if (id.is_string()) {
    const auto& text = id.get_ref<const std::string&>();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
  }
  return std::nullopt;
}

Error error_from_response(const std::string& client_id, const std::string& method, const Json& error) {
  const int code = error.is_object() && error.contains("code") && error["code"].is_number_integer()
                       ? error["code"].get<int>() : kInternalError;
  const std::string message = error.is_object() && error.contains("message") && error["message"].is_string()
                                  ? error["message"].get<std::string>() : error.dump();
  const ErrorCode ours = code == kInvalidParams    ? ErrorCode::kInvalidArgument
                         : code == kMethodNotFound ? ErrorCode::kNotFound
                                                   : ErrorCode::kUnavailable;
  return Error(ours, "MCP client '" + client_id + "': " + method + " failed: " + message +
                         " (JSON-RPC error " + std::to_string(code) + ")");
}

}  // namespace aurite::mcp::jsonrpc
