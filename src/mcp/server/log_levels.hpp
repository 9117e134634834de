// mcp/server/log_levels — the order of the MCP log levels (RFC 5424 severities).
#pragma once

#include <string>

namespace aurite::mcp::detail {

// The position of `level` among the MCP levels (least severe first), -1 when it is none.
inline int log_rank(const std::string& level) {
  static const char* const kLevels[] = {"debug", "info",     "notice", "warning",
                                        "error", "critical", "alert",  "emergency"};
  for (int i = 0; i < 8; ++i) {
    if (level == kLevels[i]) return i;
  }
  return -1;
}

}  // namespace aurite::mcp::detail
