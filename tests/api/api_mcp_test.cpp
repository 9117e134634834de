// The MCP routes through a real `aurite serve`: tools, prompts and resources of the
// planning example server and the test server, direct tool calls and their audit lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "api/serve_process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_until.hpp"

namespace aurite::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

std::string server_binary(const std::string& name) { return std::string(AURITE_BINARY_DIR) + "/bin/" + name; }

// Planning (tools, a prompt, resources), the test server, and a test server whose calls
// time out after a second; two agents that see part of it.
std::string mcp_project(const TempDir& dir) {
  const json project = {
      {"name", "mcp routes"},
      {"clients",
       {{{"client_id", "planner"},
         {"command", server_binary("aurite-example-planning-server")},
         {"args", {"--plans-dir", (dir / "plans").string()}}},
        {{"client_id", "tester"}, {"command", AURITE_TEST_MCP_SERVER}, {"exclude", {"crash"}}},
        {{"client_id", "slow"}, {"command", AURITE_TEST_MCP_SERVER}, {"args", {"--prefix", "slow_"}}, {"timeout", 1}}}},
      {"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
      {"agents",
       {{{"name", "Planner"}, {"client_ids", {"planner"}}, {"llm_config_id", "offline"},
         {"exclude_components", {"list_plans", "create_plan_prompt"}}},
        {{"name", "Tester"}, {"client_ids", {"tester"}}, {"llm_config_id", "offline"}}}}};
  return dir.write("aurite_config.json", project.dump(2)).string();
}

std::vector<std::string> names_of(const json& items, const char* key = "name") {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.value(key, ""));
  return names;
}

class ApiMcp : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string log_ = (dir_ / "serve.log").string();
  ServeProcess serve_{demo_env(), mcp_project(dir_), {"--log-level", "info"}, log_};

  std::string log() const { return read_text(log_); }
};

TEST_F(ApiMcp, ToolsNameTheirClientAndAnAgentSeesItsOwn) {
  const json all = json_of(serve_.get("/tools"));
  ASSERT_TRUE(all["tools"].is_array()) << all.dump();
  std::map<std::string, std::string> client_of;
  for (const auto& tool : all["tools"]) client_of[tool["name"]] = tool["client_id"];
  EXPECT_EQ(client_of["save_plan"], "planner");
  EXPECT_EQ(client_of["echo"], "tester");
  EXPECT_EQ(client_of["slow_echo"], "slow");
  EXPECT_EQ(client_of.count("crash"), 0u) << "excluded by its client";
  EXPECT_TRUE(all["tools"][0].contains("inputSchema"));
  EXPECT_EQ(all["unavailable_clients"], json::array());

  const json planner = json_of(serve_.get("/tools?agent=Planner"));
  EXPECT_EQ(names_of(planner["tools"]), std::vector<std::string>{"save_plan"});

  const json unknown = expect_error(serve_.get("/tools?agent=Plannr"), 404, "not_found");
  EXPECT_THAT(unknown.value("message", ""), HasSubstr("did you mean 'Planner'"));
  expect_error(serve_.get("/tools?agent="), 400, "invalid_argument");
}

TEST_F(ApiMcp, AToolCallAnswersItsResultAndIsAuditedWithoutItsArguments) {
  const auto called = serve_.post("/tools/echo/call", {{"arguments", {{"text", "secret-argument-7731"}}}});
  ASSERT_EQ(status_of(called), 200) << (called ? called->body : "");
  const json result = json_of(called);
  EXPECT_EQ(result["client_id"], "tester");
  EXPECT_EQ(result["isError"], false);
  EXPECT_EQ(result["content"][0]["text"], "secret-argument-7731");

  const json failed = json_of(serve_.post("/tools/fail/call", json::object()));
  EXPECT_EQ(failed["isError"], true);
  EXPECT_EQ(failed["content"][0]["text"], "the tool failed");

  ASSERT_TRUE(wait_until([&] { return log().find("tool call 'fail'") != std::string::npos; })) << log();
  const std::string text = log();
  EXPECT_THAT(text, HasSubstr("tool call 'echo' on MCP client 'tester' from 127.0.0.1:"));
  EXPECT_THAT(text, ::testing::ContainsRegex("tool call 'echo' on MCP client 'tester' from 127\\.0\\.0\\.1:[0-9]+: ok in [0-9]+ ms"));
  EXPECT_THAT(text, HasSubstr("tool call 'fail' on MCP client 'tester'"));
  EXPECT_THAT(text, HasSubstr(": tool error in "));
  EXPECT_THAT(text, Not(HasSubstr("secret-argument-7731")));
  EXPECT_THAT(text, Not(HasSubstr(kApiKey)));
}

TEST_F(ApiMcp, AToolCallRefusesWhatIsWrongNamingIt) {
  const json misspelt = expect_error(serve_.post("/tools/echo/call", {{"argument", json::object()}}), 400, "invalid_config");
  ASSERT_EQ(misspelt["details"].size(), 1u) << misspelt.dump();
  EXPECT_EQ(misspelt["details"][0]["path"], "argument");
  EXPECT_THAT(misspelt["details"][0].value("message", ""), HasSubstr("did you mean 'arguments'"));

  const json not_object = expect_error(serve_.post("/tools/echo/call", {{"arguments", {1, 2}}}), 400, "invalid_config");
  EXPECT_EQ(not_object["details"][0]["path"], "arguments");

  const json unknown = expect_error(serve_.post("/tools/ecko/call", json::object()), 404, "not_found");
  EXPECT_THAT(unknown.value("message", ""), HasSubstr("did you mean 'echo'"));
  EXPECT_THAT(serve_.client(false)->Post("/tools/echo/call", "{}", "application/json")->status, 401);

  // The server, not the tool, failed: no answer within the client's timeout.
  const json late = expect_error(serve_.post("/tools/slow_sleep/call", {{"arguments", {{"ms", 5000}}}}), 504, "timeout");
  EXPECT_THAT(late.value("message", ""), HasSubstr("slow"));
  ASSERT_TRUE(wait_until([&] { return log().find("tool call 'slow_sleep'") != std::string::npos; })) << log();
  EXPECT_THAT(log(), HasSubstr("tool call 'ecko' on MCP client '-'"));

  // A newline in the name cannot start a line of its own in the log.
  expect_error(serve_.post("/tools/forged%0A%5Berror%5D%20admin/call", json::object()), 404, "not_found");
  ASSERT_TRUE(wait_until([&] { return log().find("tool call 'forged?[error] admin'") != std::string::npos; })) << log();
  EXPECT_THAT(log(), Not(HasSubstr("\n[error] admin")));
  EXPECT_THAT(log(), HasSubstr("failed (timeout)"));
}

TEST_F(ApiMcp, PromptsAreListedAndGotWithTheirArguments) {
  const json all = json_of(serve_.get("/prompts"));
  ASSERT_EQ(names_of(all["prompts"]), std::vector<std::string>{"create_plan_prompt"}) << all.dump();
  EXPECT_EQ(all["prompts"][0]["client_id"], "planner");
  EXPECT_EQ(all["prompts"][0]["arguments"][0]["name"], "subject");
  EXPECT_EQ(json_of(serve_.get("/prompts?agent=Planner"))["prompts"], json::array()) << "excluded by the agent";

  const json got = json_of(serve_.post("/prompts/create_plan_prompt/get", {{"arguments", {{"subject", "a trip to Oslo"}}}}));
  ASSERT_TRUE(got["messages"].is_array()) << got.dump();
  EXPECT_EQ(got["messages"][0]["role"], "user");
  EXPECT_THAT(got["messages"][0]["content"].value("text", ""), HasSubstr("plan for: a trip to Oslo."));

  const json number = expect_error(serve_.post("/prompts/create_plan_prompt/get", {{"arguments", {{"subject", 3}}}}), 400,
                                   "invalid_config");
  EXPECT_EQ(number["details"][0]["path"], "arguments.subject");
  const json missing = expect_error(serve_.post("/prompts/create_plan_prompt/get", json::object()), 400, "invalid_argument");
  EXPECT_THAT(missing.value("message", ""), HasSubstr("subject"));
  const json unknown = expect_error(serve_.post("/prompts/create_plan_promt/get", json::object()), 404, "not_found");
  EXPECT_THAT(unknown.value("message", ""), HasSubstr("did you mean 'create_plan_prompt'"));
  expect_error(serve_.get("/prompts?agent=Nobody"), 404, "not_found");
}

TEST_F(ApiMcp, ResourcesAreListedAndRead) {
  EXPECT_EQ(json_of(serve_.get("/resources"))["resources"], json::array());
  ASSERT_EQ(status_of(serve_.post("/tools/save_plan/call",
                                  {{"arguments", {{"plan_name", "Oslo"}, {"plan_content", "wool socks, umbrella"}}}})),
            200);
  const json all = json_of(serve_.get("/resources"));
  ASSERT_EQ(names_of(all["resources"], "uri"), std::vector<std::string>{"planning://plan/Oslo"}) << all.dump();
  EXPECT_EQ(all["resources"][0]["client_id"], "planner");
  EXPECT_EQ(all["resources"][0]["mimeType"], "text/markdown");
  EXPECT_EQ(json_of(serve_.get("/resources?agent=Tester"))["resources"], json::array());

  const json read = json_of(serve_.get("/resources/read?uri=" + segment("planning://plan/Oslo")));
  ASSERT_TRUE(read["contents"].is_array()) << read.dump();
  EXPECT_THAT(read["contents"][0].value("text", ""), HasSubstr("wool socks, umbrella"));

  expect_error(serve_.get("/resources/read"), 400, "invalid_argument");
  const json unknown = expect_error(serve_.get("/resources/read?uri=" + segment("planning://plan/Osl")), 404, "not_found");
  EXPECT_THAT(unknown.value("message", ""), HasSubstr("did you mean 'planning://plan/Oslo'"));
}

}  // namespace
}  // namespace aurite::testing
