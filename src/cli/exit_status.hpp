#pragma once

#include <functional>

#include "cli/cli_context.hpp"

namespace aurite::cli {

// The one mapping from an error to the exit status of `aurite`.
int exit_status_for(const std::exception& error);

// Runs `body`; on an exception prints it (to stderr, and as a JSON error object on
// stdout under --json) and returns exit_status_for it.
int run_reporting_errors(const Context& context, const std::function<int()>& body);

}  // namespace aurite::cli
