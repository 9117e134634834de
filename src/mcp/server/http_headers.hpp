// mcp/server/http_headers — the request headers that mirror the body in the stateless
// revision (Mcp-Method, Mcp-Name, and Mcp-Param-{Name} for tool parameters marked
// x-mcp-header, SEP-2243): a server that reads the body must refuse a request whose
// headers say something else, so a proxy routing on headers cannot be misled.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace aurite::mcp::detail {

// A request header's value by case-insensitive name; nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Why the headers do not match `request` (to answer with HeaderMismatch), or nullopt.
// `input_schema` is the called tool's (null when not a tools/call or an unknown tool).
std::optional<std::string> header_mismatch(const nlohmann::json& request, const HeaderLookup& header,
                                           const nlohmann::json& input_schema);

// The value of a header that may carry the Base64 sentinel (=?base64?...?=), decoded;
// nullopt when it is malformed (bad Base64, characters a header may not hold).
std::optional<std::string> decode_header_value(const std::string& value);

}  // namespace aurite::mcp::detail
