#include "mcp/server_log.hpp"

#include <spdlog/spdlog.h>

namespace aurite::mcp::detail {

spdlog::level::level_enum log_level_for(std::string_view mcp_level) {
  using spdlog::level::level_enum;
  if (mcp_level == "debug") return level_enum::debug;
  if (mcp_level == "info" || mcp_level == "notice") return level_enum::info;
  if (mcp_level == "warning") return level_enum::warn;
  if (mcp_level == "error") return level_enum::err;
  if (mcp_level == "critical" || mcp_level == "alert" || mcp_level == "emergency")
    return level_enum::critical;
  return level_enum::info;
}

void log_server_message(const std::string& client_id, const Json& params) {
  if (!params.is_object()) return;
  const std::string level =
      params.contains("level") && params["level"].is_string() ? params["level"].get<std::string>() : "";
  std::string text;
  if (params.contains("logger") && params["logger"].is_string())
    text = params["logger"].get<std::string>() + ": ";
  if (params.contains("data")) {
    const Json& data = params["data"];
    text += data.is_string() ? data.get<std::string>()
                             : data.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  spdlog::log(log_level_for(level), "[{}] {}", client_id, text);
}

}  // namespace aurite::mcp::detail
