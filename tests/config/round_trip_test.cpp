// Load and save lose nothing: the models, unknown keys included, survive a round trip.
#include <gtest/gtest.h>

#include "aurite/config/json_codec.hpp"
#include "aurite/config/project_file.hpp"
#include "support/temp_dir.hpp"

namespace aurite::config {
namespace {

const std::filesystem::path kDataDir(AURITE_TEST_DATA_DIR);

void expect_round_trip(const std::filesystem::path& source) {
  const auto original = load_project_file(source).project;
  testing::TempDir dir;
  const auto copy = dir / "copy.json";
  save_project_file(original, copy);
  auto reloaded = load_project_file(copy).project;
  reloaded.base_dir = original.base_dir;  // the only thing allowed to differ: where it lives
  EXPECT_EQ(reloaded, original);
  // Saving what was loaded from a saved file gives the same bytes: output is canonical.
  EXPECT_EQ(dump_project(reloaded), testing::read_text(copy));
}

TEST(RoundTrip, AuriteEraProject) { expect_round_trip(kDataDir / "good/aurite_era_project.json"); }

TEST(RoundTrip, ExampleProject) {
  expect_round_trip(std::filesystem::path(AURITE_SOURCE_DIR) / "examples/demo/aurite_config.json");
}

TEST(RoundTrip, EveryFieldSet) {
  testing::TempDir dir;
  const auto file = dir.write("full.json", R"({
    "name": "full", "description": "d", "top_level_extra": {"x": [1, 2]},
    "clients": [{"client_id": "c", "command": "srv", "args": ["-v", "--x=1"], "env": {"A": "1"},
                 "capabilities": ["tools"], "roots": [{"uri": "file:///r", "name": "r", "capabilities": ["read"], "z": 1}],
                 "timeout": 2.5, "max_total_timeout": 30, "log_level": "notice", "routing_weight": 0.5,
                 "exclude": ["t1"]}],
    "llms": [{"llm_id": "l", "provider": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1",
              "api_key_env": "K", "temperature": 0.2, "max_tokens": 10, "default_system_prompt": "p"}],
    "agents": [{"name": "a", "system_prompt": "s", "client_ids": ["c"], "llm_config_id": "l", "provider": "openai",
                "model": "m", "temperature": 1.5, "max_tokens": 7, "max_iterations": 3, "include_history": true,
                "history_limit": 0, "exclude_components": ["t2"], "schema": {"type": "object"}, "custom": null}],
    "workflows": [{"name": "w", "steps": ["a", "a"], "description": "d"}],
    "custom_workflows": [{"name": "cw", "module_path": "m.so", "class_name": "K", "description": "d"}]
  })");
  expect_round_trip(file);
  const auto json = to_json(load_project_file(file).project);
  EXPECT_EQ(json["top_level_extra"]["x"][1], 2);
  EXPECT_EQ(json["clients"][0]["roots"][0]["z"], 1);
  EXPECT_TRUE(json["agents"][0].contains("custom"));  // an unknown key keeps even a null value
  const auto client = load_project_file(file).project.clients.at(0);
  EXPECT_EQ(client.max_total_timeout, 30.0);
  EXPECT_EQ(client.log_level, "notice");
  EXPECT_TRUE(client.extra.empty()) << client.extra;
}

TEST(SaveProjectFile, ReplacesAtomicallyAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  const auto file = dir.write("p.json", "{}");
  ProjectConfig project;
  project.name = "new";
  save_project_file(project, file);
  EXPECT_EQ(load_project_file(file).project.name, "new");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(SaveProjectFile, UnwritableFolderIsAnIoErrorNamingThePath) {
  try {
    save_project_file(ProjectConfig{}, "/nonexistent-dir/p.json");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(error.what()).find("/nonexistent-dir/p.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace aurite::config
