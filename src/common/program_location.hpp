// common/program_location — where the running program lives (internal).
//
// The example project names its MCP servers and its plugin by bare name. So that it runs
// from the build tree and from an installed copy alike, without the user editing PATH,
// the host also looks next to the running `aurite` and under its install prefix.
#pragma once

#include <filesystem>

namespace aurite::detail {

// The folder holding the running program, from /proc/self/exe (symbolic links
// resolved); empty when it cannot be read.
std::filesystem::path running_program_folder();

}  // namespace aurite::detail
