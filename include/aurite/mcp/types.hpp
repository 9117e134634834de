// mcp/types — what MCP servers offer (tools, prompts, resources) and what a tool call
// returns, as plain values. The server's own JSON for each is kept in `raw` so nothing
// a newer server sends is lost on the way to the model or the CLI.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aurite/common/error.hpp"

namespace aurite::mcp {

using Json = nlohmann::json;

// Protocol revisions this host accepts from a server, oldest first; it offers the last.
inline constexpr std::array<std::string_view, 4> kSupportedProtocolVersions = {
    "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"};
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";

bool is_supported_protocol_version(std::string_view version);

// The stateless revision: no initialize and no session; every request carries its
// protocol version and the client's capabilities in _meta, and a server that needs the
// client's input answers "input_required" and is asked again (SEP-2575, SEP-2322). A
// client on HTTP tries it first and falls back to the handshake revisions above.
inline constexpr std::string_view kStatelessProtocolVersion = "2026-07-28";
inline constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// Why a tool's `x-mcp-header` annotations (SEP-2243: arguments mirrored into
// Mcp-Param-{Name} headers) are unusable, or empty when they are fine: a header name
// that is empty or not an HTTP token, one on a parameter that is not a string, integer or
// boolean, or one used twice (case-insensitively). Such a tool must not be called.
std::string header_annotation_problem(const Json& input_schema);

struct ToolInfo {
  std::string client_id;    // the client (server) that offers it
  // The name a model calls it by: the server's, after the client's tool_prefix and, in
  // what an agent with prefix_tool_names sees, its client id.
  std::string name;
  std::string server_name;  // the name the server knows it by (empty: the same as name)
  std::string description;  // empty when the server gave none
  Json input_schema = Json::object();
  Json raw = Json::object();  // the tool as tools/list returned it
};

struct PromptInfo {
  std::string client_id;
  std::string name;
  std::string description;
  Json arguments = Json::array();  // [{name, description?, required?}]
  Json raw = Json::object();
};

struct ResourceInfo {
  std::string client_id;
  std::string uri;
  std::string name;
  std::string description;
  std::string mime_type;
  Json raw = Json::object();
};

// One notifications/progress about a request still running. `progress` grows with each
// report; `total` is unset when the server does not know it.
struct Progress {
  double progress = 0;
  std::optional<double> total;
  std::string message;
};
using ProgressCallback = std::function<void(const Progress&)>;

// The outcome of a tools/call, always a value so an agent can show it to the model.
struct ToolResult {
  // MCP content blocks as the server sent them: text, image, audio, resource_link,
  // resource. When the call failed before the tool could answer, one text block says why.
  Json content = Json::array();
  bool is_error = false;
  std::optional<Json> structured_content;
  // Set when the server (not the tool) failed: kUnavailable (could not start, exited,
  // closed), kTimeout (no answer in time), kProtocol (broke the protocol), or the code a
  // JSON-RPC error maps to. Unset for a result the tool itself produced, isError or not.
  std::optional<ErrorCode> failure;

  // The text blocks joined by newlines (what a terminal shows).
  std::string text() const;
  // {"content": [...], "isError": bool, "structuredContent"?: ...}: the MCP shape.
  Json to_json() const;
  // A result that carries an error message: one text block, is_error set.
  static ToolResult from_error(const Error& error);
};

// Parses a tools/call result. Throws Error(kProtocol) naming `client_id` when it is
// not an object with a `content` array.
ToolResult parse_tool_result(const std::string& client_id, Json result);

}  // namespace aurite::mcp
