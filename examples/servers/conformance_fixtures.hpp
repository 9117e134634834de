// The fixtures of aurite-example-conformance-server shared between its files.
#pragma once

#include <string>

#include "aurite/mcp/server.hpp"

namespace conformance {

using aurite::mcp::Json;

inline const Json kNoArguments = {{"type", "object"}, {"properties", Json::object()}};

inline Json user_text_content(const std::string& text) {
  return {{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}};
}

// The tools and the prompt of the stateless revision's multi round-trip requests
// (SEP-2322), and the diagnostic tools of its server-stateless scenario.
void add_multi_round_fixtures(aurite::mcp::McpServer& server);

}  // namespace conformance
