// mcp/server_log — a server's own log records (notifications/message) in our log, at the
// severity the server gave them.
#pragma once

#include <spdlog/common.h>

#include <string>
#include <string_view>

#include "aurite/mcp/types.hpp"

namespace aurite::mcp::detail {

// Our level for an MCP log level (RFC 5424 names): debug -> debug, info and notice ->
// info, warning -> warn, error -> err, critical, alert and emergency -> critical. A
// level MCP does not define is logged at info, so that it is seen rather than lost.
spdlog::level::level_enum log_level_for(std::string_view mcp_level);

// Logs `params` ({level, logger?, data}) as "[client] logger: data".
void log_server_message(const std::string& client_id, const Json& params);

}  // namespace aurite::mcp::detail
