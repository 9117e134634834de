// mcp/server_environment — what a server process is given of our environment (internal).
//
// A server is often third-party code; whatever it is given it can read and send on.
// So it gets the few variables a program needs to run (kMinimalServerVariables) and
// its client's own `env`, never our API keys or database passwords unless the client
// names them (`inherit_env`).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "aurite/config/models.hpp"

namespace aurite::mcp::detail {

// The variables every server inherits when they are set. Sanitizer builds add the
// sanitizers' own option variables, so a server built with them reports as we do.
extern const std::vector<std::string_view> kMinimalServerVariables;

// NAME=value entries: the minimal set (or everything, with `inherit.all`), then the
// names listed in `inherit`, then `extra`, which wins over both. `environ` is the
// environment to take from (ours in production; a test passes its own).
std::vector<std::string> server_environment(const config::InheritEnv& inherit,
                                            const std::map<std::string, std::string>& extra,
                                            char* const* environ_entries);

}  // namespace aurite::mcp::detail
