#include "aurite/mcp/types.hpp"

#include "aurite/common/text.hpp"

#include <algorithm>
#include <set>

namespace aurite::mcp {

bool is_supported_protocol_version(std::string_view version) {
  return std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(), version) !=
         kSupportedProtocolVersions.end();
}

namespace {

std::string header_problem(const Json& schema, std::set<std::string>& seen) {
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) return {};
  for (const auto& [name, property] : schema["properties"].items()) {
    if (!property.is_object()) continue;
    if (std::string nested = header_problem(property, seen); !nested.empty()) return nested;
    if (!property.contains("x-mcp-header")) continue;
    const Json& header = property["x-mcp-header"];
    if (!header.is_string() || !is_http_token(header.get<std::string>())) {
      return "parameter '" + name + "' has an x-mcp-header that is not a header name";
    }
    const std::string type = property.value("type", "");
    if (type != "string" && type != "integer" && type != "boolean") {
      return "parameter '" + name + "' mirrors a " + (type.empty() ? "untyped" : type) +
             " value into a header (only string, integer and boolean can be)";
    }
    if (!seen.insert(to_lower(header.get<std::string>())).second) {
      return "x-mcp-header '" + header.get<std::string>() + "' is used twice";
    }
  }
  return {};
}

}  // namespace

std::string header_annotation_problem(const Json& input_schema) {
  std::set<std::string> seen;
  return header_problem(input_schema, seen);
}

std::string ToolResult::text() const {
  std::string out;
  for (const auto& block : content) {
    if (!block.is_object() || block.value("type", "") != "text") continue;
    if (!out.empty()) out += '\n';
    out += block.value("text", "");
  }
  return out;
}

Json ToolResult::to_json() const {
  Json out = {{"content", content}, {"isError", is_error}};
  if (structured_content) out["structuredContent"] = *structured_content;
  return out;
}

ToolResult ToolResult::from_error(const Error& error) {
  ToolResult result;
  result.content = Json::array({{{"type", "text"}, {"text", error.what()}}});
  result.is_error = true;
  result.failure = error.code();
  return result;
}

ToolResult parse_tool_result(const std::string& client_id, Json result) {
  if (!result.is_object() || !result.contains("content") || !result["content"].is_array()) {
    throw Error(ErrorCode::kProtocol,
                "MCP client '" + client_id + "': tools/call result has no content array: " + result.dump().substr(0, 200));
  }
  ToolResult out;
  out.content = std::move(result["content"]);
  const auto is_error = result.find("isError");
  out.is_error = is_error != result.end() && is_error->is_boolean() && is_error->get<bool>();
  if (result.contains("structuredContent") && !result["structuredContent"].is_null()) {
    out.structured_content = std::move(result["structuredContent"]);
  }
  return out;
}

}  // namespace aurite::mcp
