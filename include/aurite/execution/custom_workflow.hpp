// execution/custom_workflow — workflows written in C++ and loaded from a shared library.
//
// A plugin library exports two C functions (AURITE_WORKFLOW_PLUGIN defines them):
//   int aurite_workflow_plugin_abi(void);            returns kWorkflowPluginAbi
//   CustomWorkflow* aurite_create_workflow(const char* class_name);   nullptr if unknown
// The workflow gets a WorkflowContext, an interface of virtual functions only, so a
// plugin needs nothing from libaurite but its headers; it must be built with the same
// compiler and standard library as the program that loads it.
#pragma once

#include <cstring>
#include <string>

#include "aurite/execution/run_result.hpp"

namespace aurite::execution {

inline constexpr int kWorkflowPluginAbi = 1;

// What a custom workflow may do: run the project's agents and simple workflows.
class WorkflowContext {
 public:
  virtual ~WorkflowContext() = default;
  // Throw aurite::Error as the ExecutionFacade methods of the same names do.
  virtual AgentResult run_agent(const std::string& name, const std::string& message, const std::string& session_id) = 0;
  virtual WorkflowResult run_simple_workflow(const std::string& name, const std::string& message,
                                             const std::string& session_id) = 0;
};

class CustomWorkflow {
 public:
  virtual ~CustomWorkflow() = default;
  // `input` is what the caller passed (a JSON string for a plain message); the result is
  // returned to the caller as it is.
  virtual Json execute(WorkflowContext& context, const Json& input, const std::string& session_id) = 0;
};

}  // namespace aurite::execution

// Defines the two entry points for a plugin holding the workflow class CLASS.
#define AURITE_WORKFLOW_PLUGIN(CLASS)                                                            \
  extern "C" int aurite_workflow_plugin_abi() { return ::aurite::execution::kWorkflowPluginAbi; } \
  extern "C" ::aurite::execution::CustomWorkflow* aurite_create_workflow(const char* class_name) { \
    return std::strcmp(class_name, #CLASS) == 0 ? new CLASS() : nullptr;                          \
  }
