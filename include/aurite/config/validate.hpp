// config/validate — the rules a parsed project must satisfy.
#pragma once

#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"

namespace aurite::config {

// Every problem in `project`, each with its JSON path: value ranges, a client with both
// or neither of server_path/command, unknown providers, references to clients, llms and
// agents that do not exist (with a suggestion when the name looks like a typo), and
// duplicate names, workflow steps and graph nodes that name nothing, graphs with unknown
// nodes or a cycle, workflows that run themselves. Agents, workflows, custom workflows and
// graph workflows share one namespace because `aurite run NAME` runs any of them. Empty
// when the project is valid.
// What messages call things: our words, or Aurite 0.4's for a project of component files.
struct Vocabulary {
  std::string_view client = "client";
  std::string_view url = "url";
};
inline constexpr Vocabulary kAurite04Vocabulary{"mcp_server", "http_endpoint"};

struct ValidateOptions {
  Vocabulary words;
  // Providers outside kProviders pass (an Aurite 0.4 project may name any of LiteLLM's);
  // an agent using one fails when it runs, naming the provider.
  bool any_provider = false;
};

std::vector<Diagnostic> validate_project(const ProjectConfig& project, const ValidateOptions& options = {});

}  // namespace aurite::config
