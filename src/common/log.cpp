#include "aurite/common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"

namespace aurite {

void init_logging(std::string_view level) {
  static constexpr std::array<std::string_view, 7> kLevels = {
      "trace", "debug", "info", "warn", "error", "critical", "off"};
  const std::string wanted = to_lower(trim(level));
  if (std::find(kLevels.begin(), kLevels.end(), wanted) == kLevels.end()) {
    throw Error(ErrorCode::kInvalidArgument,
                "log level '" + std::string(level) +
                    "' is not one of trace, debug, info, warn, error, critical, off");
  }
  static std::once_flag once;
  std::call_once(once, [] {
    auto logger = spdlog::stderr_color_mt("aurite");
    logger->set_pattern("%^[%l]%$ %v");
    spdlog::set_default_logger(logger);
  });
  spdlog::set_level(spdlog::level::from_str(wanted));
}

}  // namespace aurite
