// mcp/program_lookup — finding the program a client's bare `command` names (internal).
//
// A command without '/' is looked up in PATH first, as a shell would, so PATH always
// wins. Only when PATH has no such program are the folders of the installation searched:
// the folder of the running program (build/<preset>/bin holds the example servers next to
// `aurite`), then, when that folder is <prefix>/bin, <prefix>/libexec/aurite (where the
// package installs them). That makes the example project work as printed, from the build
// tree or an installed copy, without editing PATH.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace aurite::mcp::detail {

// The folders searched after PATH for a program of the installation whose running
// program lives in `program_folder` (empty: none).
std::vector<std::filesystem::path> installation_folders(const std::filesystem::path& program_folder);

// What to exec for `command`: unchanged when it has a '/', when PATH (`path_variable`,
// colon-separated) holds an executable of that name, or when PATH has an empty or relative
// entry (exec decides those, relative to the server's folder); else the absolute path of
// the first executable of that name in `fallback`. Throws Error(kUnavailable) naming the
// command and every folder searched when none holds it.
std::string resolve_command(const std::string& command, const std::string& path_variable,
                            const std::vector<std::filesystem::path>& fallback);

// resolve_command with this process's PATH and the folders of the running program.
std::string resolve_command(const std::string& command);

}  // namespace aurite::mcp::detail
