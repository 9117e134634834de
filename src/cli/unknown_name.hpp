// cli/unknown_name — the error for a name the project does not have, with the name the
// user probably meant and where to see them all.
#pragma once

#include <string>

#include "aurite/host/host_manager.hpp"

namespace aurite::cli {

enum class Runnable { kAnyKind, kAgentOnly };

// Throws Error(kNotFound) when `name` is not in the project as what `kind` allows ("no
// agent named 'asistant' (did you mean 'assistant'?); aurite list agents shows them").
void require_runnable(const host::HostManager& host, const std::string& name, Runnable kind);

}  // namespace aurite::cli
