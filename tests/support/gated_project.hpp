// Projects of the person-in-the-loop tests: the demo project with its planning server's
// save_plan gated by require_approval and its plans written into a test's folder; and a
// project whose one tool asks for a form (elicitation) with a default in every field.
#pragma once

#include <filesystem>

#include "support/temp_dir.hpp"

namespace aurite::testing {

// Writes it as `dir`/aurite_config.json (plans into `dir`/plans) and returns the path.
std::filesystem::path write_gated_demo_project(const TempDir& dir);

// Agent "Form Agent" (offline model, no history) with client "forms": the example
// conformance server showing only test_elicitation_sep1034_defaults, `timeout` seconds a
// request. Written as `dir`/aurite_config.json; its path is returned. The server is found
// on PATH (build/bin).
std::filesystem::path write_forms_project(const TempDir& dir, double timeout = 10.0);

}  // namespace aurite::testing
