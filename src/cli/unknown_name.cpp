#include "cli/unknown_name.hpp"

#include "aurite/common/error.hpp"

namespace aurite::cli {

void require_runnable(const host::HostManager& host, const std::string& name, Runnable kind) {
  try {
    host.require_runnable(name, kind == Runnable::kAgentOnly);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kNotFound) throw;
    const config::ProjectConfig project = host.snapshot();
    const bool none = kind == Runnable::kAgentOnly
                          ? project.agents.empty()
                          : project.agents.empty() && project.workflows.empty() && project.graph_workflows.empty() &&
                                project.custom_workflows.empty();
    std::string hint;
    if (none) hint = kind == Runnable::kAgentOnly ? "; the project has no agents" : "; the project has none";
    else hint = kind == Runnable::kAgentOnly ? "; aurite list agents shows them" : "; aurite list shows them";
    throw Error(ErrorCode::kNotFound, error.what() + hint);
  }
}

}  // namespace aurite::cli
