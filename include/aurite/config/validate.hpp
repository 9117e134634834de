// config/validate — the rules a parsed project must satisfy.
#pragma once

#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"

namespace aurite::config {

// Every problem in `project`, each with its JSON path: value ranges, a client with both
// or neither of server_path/command, unknown providers, references to clients, llms and
// agents that do not exist (with a suggestion when the name looks like a typo), and
// duplicate names. Agents, workflows and custom workflows share one namespace because
// `aurite run NAME` runs any of them. Empty when the project is valid.
std::vector<Diagnostic> validate_project(const ProjectConfig& project);

}  // namespace aurite::config
