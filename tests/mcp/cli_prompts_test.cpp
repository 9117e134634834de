// `aurite prompts`, `prompt`, `resources` and `read-resource` run as the user runs them,
// against the planning and conformance example servers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mcp/mcp_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_aurite;
using testing::TempDir;
using Json = nlohmann::json;

class mcp_cli_prompts : public ::testing::Test {
 protected:
  void SetUp() override {
    const Json project = {
        {"name", "prompts and resources"},
        {"clients",
         {{{"client_id", "planner"},
           {"command", testing::example_server_path("aurite-example-planning-server").string()},
           {"args", {"--plans-dir", (dir_ / "plans").string()}}},
          {{"client_id", "conformance"},
           {"command", testing::example_server_path("aurite-example-conformance-server").string()}}}},
        {"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
        {"agents",
         {{{"name", "Planner"}, {"client_ids", {"planner"}}, {"llm_config_id", "offline"}}}}};
    config_ = dir_.write("aurite_config.json", project.dump(2));
  }

  testing::ProcessResult aurite(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config_.string()});
    return run_aurite(args);
  }

  TempDir dir_;
  std::filesystem::path config_;
};

TEST_F(mcp_cli_prompts, PromptsListsEachWithItsClientAndArguments) {
  const auto table = aurite({"prompts"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("PROMPT"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("create_plan_prompt +planner +subject, details\\?"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("test_prompt_with_arguments +conformance +arg1, arg2"));

  const auto agent = aurite({"prompts", "--agent", "Planner", "--json"});
  ASSERT_EQ(agent.exit_code, 0) << agent.err;
  const Json listed = Json::parse(agent.out);
  ASSERT_EQ(listed.size(), 1u) << agent.out;
  EXPECT_EQ(listed[0]["name"], "create_plan_prompt");
  EXPECT_EQ(listed[0]["client_id"], "planner");
}

TEST_F(mcp_cli_prompts, PromptPrintsItsMessages) {
  const auto result = aurite({"prompt", "create_plan_prompt", "--args", R"({"subject": "Oslo", "details": "rain"})"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "[user]\nWrite a short, practical plan for: Oslo. Consider: rain. Then save it with the save_plan tool.\n");

  const auto json = aurite({"prompt", "test_prompt_with_arguments", "--args", R"({"arg1": "a", "arg2": "b"})", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(Json::parse(json.out)["messages"][0]["content"]["text"], "Prompt with arguments: arg1='a', arg2='b'");
}

TEST_F(mcp_cli_prompts, PromptErrorsNameWhatWasWrong) {
  const auto unknown = aurite({"prompt", "create_plan_promt"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no MCP prompt named 'create_plan_promt' (did you mean 'create_plan_prompt'?)"));
  EXPECT_THAT(unknown.err, HasSubstr("aurite prompts shows them"));

  const auto malformed = aurite({"prompt", "create_plan_prompt", "--args", "{\n  \"subject\": }"});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.err, HasSubstr("--args"));
  EXPECT_THAT(malformed.err, ::testing::ContainsRegex("line 2, column [0-9]+"));

  const auto number = aurite({"prompt", "create_plan_prompt", "--args", R"({"subject": 3})"});
  EXPECT_EQ(number.exit_code, 2);
  EXPECT_THAT(number.err, HasSubstr("--args: 'subject' is number; prompt arguments are strings"));

  // The server refuses: a required argument is missing.
  const auto missing = aurite({"prompt", "create_plan_prompt"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("subject"));
}

TEST_F(mcp_cli_prompts, ResourcesAreListedAndRead) {
  const auto listed = aurite({"resources"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, ::testing::ContainsRegex("test://static-text +static-text +conformance +text/plain"));
  EXPECT_THAT(listed.out, Not(HasSubstr("planning://")));

  ASSERT_EQ(aurite({"call-tool", "save_plan", "--args", R"({"plan_name": "Oslo", "plan_content": "wool socks"})"}).exit_code, 0);
  const auto json = aurite({"resources", "--agent", "Planner", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json resources = Json::parse(json.out);
  ASSERT_EQ(resources.size(), 1u) << json.out;
  EXPECT_EQ(resources[0]["uri"], "planning://plan/Oslo");

  const auto text = aurite({"read-resource", "test://static-text"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "This is the content of the static text resource.\n");
  const auto plan = aurite({"read-resource", "planning://plan/Oslo"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("wool socks"));

  const auto binary = aurite({"read-resource", "test://static-binary"});
  ASSERT_EQ(binary.exit_code, 0) << binary.err;
  EXPECT_THAT(binary.out, ::testing::ContainsRegex("\\[test://static-binary image/png, [0-9]+ bytes of base64; --json shows it\\]"));
  const auto blob = aurite({"read-resource", "test://static-binary", "--json"});
  ASSERT_EQ(blob.exit_code, 0) << blob.err;
  EXPECT_FALSE(Json::parse(blob.out)["contents"][0].value("blob", "").empty());

  const auto unknown = aurite({"read-resource", "test://static-txt"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no MCP resource with uri 'test://static-txt' (did you mean 'test://static-text'?)"));
}

}  // namespace
}  // namespace aurite::mcp
