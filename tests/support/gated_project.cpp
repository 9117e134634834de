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

}  // namespace aurite::testing
