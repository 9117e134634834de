#include "cli/unknown_name.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"

namespace aurite::cli {

void require_runnable(const host::HostManager& host, const std::string& name, Runnable kind) {
  const config::ProjectConfig project = host.snapshot();
  std::vector<std::string> names;
  for (const auto& agent : project.agents) names.push_back(agent.name);
  if (kind == Runnable::kAnyKind) {
    for (const auto& workflow : project.workflows) names.push_back(workflow.name);
    for (const auto& workflow : project.custom_workflows) names.push_back(workflow.name);
  }
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  const std::string what = kind == Runnable::kAgentOnly ? "agent" : "agent, workflow or custom workflow";
  std::string message = fmt::format("no {} named '{}'", what, name);
  // Compared in lower case: "weather agnet" is a typo of "Weather Agent", not 4 edits away.
  std::vector<std::string> lowered;
  for (const auto& candidate : names) lowered.push_back(to_lower(candidate));
  const std::string match = closest_match(to_lower(name), lowered);
  const auto at = std::find(lowered.begin(), lowered.end(), match);
  const std::string suggestion = match.empty() ? "" : names[static_cast<std::size_t>(at - lowered.begin())];
  if (!suggestion.empty()) message += fmt::format(" (did you mean '{}'?)", suggestion);
  if (names.empty()) {
    message += kind == Runnable::kAgentOnly ? "; the project has no agents" : "; the project has none";
  } else {
    message += kind == Runnable::kAgentOnly ? "; aurite list agents shows them" : "; aurite list shows them";
  }
  throw Error(ErrorCode::kNotFound, message);
}

}  // namespace aurite::cli
