// The system user `aurite-test` for what must not run as root: PostgreSQL refuses to, and
// file permissions do not stop root (a read-only database is only read-only to others).
#pragma once

#include <string>
#include <vector>

namespace aurite::testing {

inline constexpr const char* kUnprivilegedUser = "aurite-test";

bool running_as_root();

// Creates the user (useradd --system) when missing. Safe when several test programs
// race to do it. Throws std::runtime_error naming useradd's error when it cannot.
void ensure_unprivileged_user();

// `argv` prefixed so it runs as kUnprivilegedUser when we are root (runuser); unchanged
// otherwise, since we are unprivileged already.
std::vector<std::string> as_unprivileged_user(const std::vector<std::string>& argv);

// Gives `path` to kUnprivilegedUser (chown). Throws std::runtime_error when it cannot.
void give_to_unprivileged_user(const std::string& path);

}  // namespace aurite::testing
