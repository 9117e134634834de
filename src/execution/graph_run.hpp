// The schedule of one graph workflow run: which nodes are ready, which run, what each
// gets as input and what the run produced. Nodes run on threads of their own through a
// function the caller gives, so the schedule can be driven without models.
#pragma once

#include <functional>
#include <string>

#include "aurite/config/models.hpp"
#include "aurite/execution/run_result.hpp"

namespace aurite::execution {

// Runs `agent` on `input` for one node; throws what the agent run throws.
using RunNode = std::function<AgentResult(const std::string& agent, const std::string& input, RunObserver* observer)>;

// `workflow` must be valid (validate_project: known nodes, no cycle). See
// ExecutionFacade::run_graph_workflow for what a run does.
GraphWorkflowResult run_graph(const config::GraphWorkflowConfig& workflow, const std::string& input,
                              const std::string& session_id, const RunNode& run_node, RunObserver* observer);

}  // namespace aurite::execution
