// The demo project with its planning server's save_plan gated by require_approval and
// its plans written into a test's folder: the project the approval tests run.
#pragma once

#include <filesystem>

#include "support/temp_dir.hpp"

namespace aurite::testing {

// Writes it as `dir`/aurite_config.json (plans into `dir`/plans) and returns the path.
std::filesystem::path write_gated_demo_project(const TempDir& dir);

}  // namespace aurite::testing
