// An example custom workflow, loaded by `aurite run "Example Custom Workflow" ...` from
// this shared library: it asks the weather reporter about a city, then has the planner
// turn that report into a saved plan, and returns both.
#include <aurite/execution/custom_workflow.hpp>

namespace {

using aurite::execution::CustomWorkflow;
using aurite::execution::Json;
using aurite::execution::WorkflowContext;

class ExampleCustomWorkflow : public CustomWorkflow {
 public:
  Json execute(WorkflowContext& context, const Json& input, const std::string& session_id) override {
    // The input is a plain message, or {"city": "..."}.
    const std::string city = input.is_object() ? input.value("city", "San Francisco")
                             : input.is_string() ? input.get<std::string>()
                                                 : "San Francisco";
    const auto report = context.run_agent("Weather Reporter", "What is the weather in " + city + "?", session_id);
    const auto plan = context.run_agent("Planner", "Plan what to wear for this weather:\n" + report.final_text, session_id);
    return {{"city", city},
            {"weather_report", report.final_text},
            {"plan", plan.final_text},
            {"tool_calls", report.tool_calls.size() + plan.tool_calls.size()}};
  }
};

}  // namespace

AURITE_WORKFLOW_PLUGIN(ExampleCustomWorkflow)
