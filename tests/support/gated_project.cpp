#include "support/gated_project.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

namespace aurite::testing {

std::filesystem::path write_gated_demo_project(const TempDir& dir) {
  std::ifstream in(std::filesystem::path(AURITE_SOURCE_DIR) / "examples/demo/aurite_config.json");
  nlohmann::json project = nlohmann::json::parse(in);
  for (auto& client : project["clients"]) {
    if (client["client_id"] != "planning_server") continue;
    client["require_approval"] = nlohmann::json::array({"save_plan"});
    client["args"] = nlohmann::json::array({"--plans-dir", (dir / "plans").string()});
  }
  return dir.write("aurite_config.json", project.dump());
}

std::filesystem::path write_forms_project(const TempDir& dir, double timeout) {
  // Every other tool of the server: the offline model calls each tool it sees.
  const nlohmann::json hidden = {
      "test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource",
      "test_multiple_content_types", "test_error_handling", "test_region_header", "json_schema_2020_12_tool",
      "test_tool_with_logging", "test_tool_with_progress", "test_reconnection", "test_sampling", "test_elicitation",
      "test_elicitation_sep1330_enums", "test_input_required_result_elicitation",
      "test_input_required_result_sampling", "test_input_required_result_list_roots",
      "test_input_required_result_request_state", "test_input_required_result_multiple_inputs",
      "test_input_required_result_multi_round", "test_input_required_result_tampered_state",
      "test_input_required_result_capabilities", "test_missing_capability", "test_logging_tool",
      "test_streaming_elicitation"};
  const nlohmann::json project = {
      {"clients",
       {{{"client_id", "forms"}, {"command", "aurite-example-conformance-server"}, {"timeout", timeout},
         {"exclude", hidden}}}},
      {"llms", {{{"llm_id", "offline"}, {"provider", "test"}, {"model", "offline"}}}},
      {"agents",
       {{{"name", "Form Agent"}, {"client_ids", {"forms"}}, {"llm_config_id", "offline"}, {"include_history", false}}}}};
  return dir.write("aurite_config.json", project.dump());
}

}  // namespace aurite::testing
