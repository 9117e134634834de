// common/log — process-wide logging on spdlog, to stderr so stdout stays for results.
//
// Secrets never reach the log: callers pass connection strings through mask functions
// of the module that owns them before logging.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace aurite {

// Sets up the default logger (stderr, "[level] message"). `level` is one of trace,
// debug, info, warn, error, critical, off; anything else throws
// Error(kInvalidArgument) naming the value. Safe to call again to change the level.
void init_logging(std::string_view level);

}  // namespace aurite
