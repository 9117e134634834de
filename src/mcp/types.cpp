#include "aurite/mcp/types.hpp"

#include <algorithm>

namespace aurite::mcp {

bool is_supported_protocol_version(std::string_view version) {
  return std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(), version) !=
         kSupportedProtocolVersions.end();
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

ToolResult parse_tool_result(const std::string& client_id, const Json& result) {
  if (!result.is_object() || !result.contains("content") || !result["content"].is_array()) {
    throw Error(ErrorCode::kProtocol,
                "MCP client '" + client_id + "': tools/call result has no content array: " + result.dump().substr(0, 200));
  }
  ToolResult out;
  out.content = result["content"];
  out.is_error = result.value("isError", false);
  if (result.contains("structuredContent") && !result["structuredContent"].is_null()) {
    out.structured_content = result["structuredContent"];
  }
  return out;
}

}  // namespace aurite::mcp
