// The API's routes over real HTTP against `aurite serve` on the demo project, without a
// database: auth, the error shape, limits, configs CRUD and runs (JSON and SSE).
#include <gtest/gtest.h>

#include <algorithm>

#include "api/serve_process.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;

class ApiRoutes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServeProcess(demo_env()); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServeProcess& server() { return *server_; }

  static ServeProcess* server_;
};

ServeProcess* ApiRoutes::server_ = nullptr;

TEST_F(ApiRoutes, HealthIsOpenAndEveryOtherRouteNeedsTheKey) {
  const auto health = server().client(false)->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json_of(health)["status"], "ok");

  expect_error(server().client(false)->Get("/health/ready"), 401, "unauthenticated");
  expect_error(server().client(false)->Get("/configs/agents"), 401, "unauthenticated");
  auto wrong = server().client(false);
  wrong->set_default_headers({{"X-API-Key", std::string(kApiKey) + "x"}});
  expect_error(wrong->Get("/configs/agents"), 401, "unauthenticated");
  wrong->set_default_headers({{"X-API-Key", "short"}});
  expect_error(wrong->Post("/runs", R"({"name": "Weather Agent", "message": "hi"})", "application/json"), 401,
               "unauthenticated");

  const auto ready = server().get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(json_of(ready)["database"]["enabled"], false);
}

TEST_F(ApiRoutes, UnknownRoutesAndNamesAre404InTheErrorShape) {
  expect_error(server().get("/nowhere"), 404, "not_found");
  expect_error(server().get("/configs/gadgets"), 404, "not_found");
  expect_error(server().get("/configs/agents/Nobody"), 404, "not_found");
  expect_error(server().del("/configs/llms/nothing"), 404, "not_found");
  const json error = expect_error(server().post("/runs", {{"name", "Nobody"}, {"message", "hi"}}), 404, "not_found");
  EXPECT_NE(error["message"].get<std::string>().find("Nobody"), std::string::npos);
}

TEST_F(ApiRoutes, MalformedJsonIs400) {
  const auto result = server().client()->Post("/configs/agents", R"({"name": "x",)", "application/json");
  const json error = expect_error(result, 400, "invalid_argument");
  EXPECT_NE(error["message"].get<std::string>().find("not valid JSON"), std::string::npos) << error;
  expect_error(server().client()->Post("/runs", "[1, 2]", "application/json"), 400, "invalid_config");
}

// nlohmann's parse error quotes the bytes it read: invalid UTF-8 there must still make a
// JSON error body (replaced by U+FFFD), not an internal error about the error.
TEST_F(ApiRoutes, InvalidUtf8IsA400WhoseBodyIsValidJson) {
  const std::string bad_bytes = "\xff\xfe";
  for (const std::string& body : {R"({"name": "a)" + bad_bytes + R"("})", R"({"name": "a)" + bad_bytes}) {
    const auto result = server().client()->Post("/configs/agents", body, "application/json");
    const json error = expect_error(result, 400, "invalid_argument");
    EXPECT_NE(error["message"].get<std::string>().find("not valid JSON"), std::string::npos) << error;
    EXPECT_EQ(result->body.find(bad_bytes), std::string::npos);
  }
}

TEST_F(ApiRoutes, BodyOverTheLimitIs413) {
  const std::string big = json{{"name", "Weather Agent"}, {"message", std::string(1100 * 1024, 'a')}}.dump();
  expect_error(server().client()->Post("/runs", big, "application/json"), 413, "payload_too_large");
  // The server still answers afterwards.
  EXPECT_EQ(server().get("/health")->status, 200);
}

TEST_F(ApiRoutes, ConfigsListGetCreateReplaceDelete) {
  const json agents = json_of(server().get("/configs/agents"));
  ASSERT_TRUE(agents["items"].is_array());
  EXPECT_EQ(agents["items"][0]["name"], "Weather Agent");
  const json one = json_of(server().get("/configs/agents/" + segment("Weather Agent")));
  EXPECT_EQ(one["client_ids"], json::array({"weather_server"}));

  const json agent = {{"name", "Crud Agent"}, {"client_ids", {"weather_server"}}, {"llm_config_id", "offline"}};
  const auto created = server().post("/configs/agents", agent);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(json_of(created)["name"], "Crud Agent");
  const json twice = expect_error(server().post("/configs/agents", agent), 409, "already_exists");
  EXPECT_NE(twice["message"].get<std::string>().find("Crud Agent"), std::string::npos);

  json changed = agent;
  changed.erase("name");  // taken from the path
  changed["max_iterations"] = "3";  // lenient as in the file
  const auto replaced = server().put("/configs/agents/" + segment("Crud Agent"), changed);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->status, 200) << replaced->body;
  EXPECT_EQ(json_of(server().get("/configs/agents/" + segment("Crud Agent")))["max_iterations"], 3);

  const auto put_new = server().put("/configs/llms/spare", {{"provider", "test"}});
  ASSERT_TRUE(put_new);
  EXPECT_EQ(put_new->status, 201) << put_new->body;
  EXPECT_EQ(json_of(put_new)["llm_id"], "spare");

  const auto mismatch = server().put("/configs/llms/spare", {{"llm_id", "other"}, {"provider", "test"}});
  EXPECT_EQ(expect_error(mismatch, 400, "invalid_config")["details"][0]["path"], "llm_id");

  const auto deleted = server().del("/configs/agents/" + segment("Crud Agent"));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  expect_error(server().get("/configs/agents/" + segment("Crud Agent")), 404, "not_found");
  EXPECT_EQ(server().del("/configs/llms/spare")->status, 204);
}

TEST_F(ApiRoutes, ValidationErrorsAre400WithPathsInsideTheBody) {
  const json bad_types = {{"name", "Bad"}, {"client_ids", {42}}, {"temperature", "hot"}};
  const json error = expect_error(server().post("/configs/agents", bad_types), 400, "invalid_config");
  std::vector<std::string> paths;
  for (const auto& d : error["details"]) paths.push_back(d["path"]);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "client_ids[0]"), paths.end()) << error;
  EXPECT_NE(std::find(paths.begin(), paths.end(), "temperature"), paths.end()) << error;

  const json unknown = {{"name", "Lost"}, {"client_ids", {"weather_servr"}}, {"llm_config_id", "offline"}};
  const json ref = expect_error(server().post("/configs/agents", unknown), 400, "invalid_config");
  ASSERT_EQ(ref["details"].size(), 1u) << ref;
  EXPECT_EQ(ref["details"][0]["path"], "client_ids[0]");
  EXPECT_NE(ref["details"][0]["message"].get<std::string>().find("weather_servr"), std::string::npos);

  const json client = {{"client_id", "both"}, {"command", "x"}, {"server_path", "y.py"}};
  EXPECT_FALSE(expect_error(server().post("/configs/clients", client), 400, "invalid_config")["details"].empty());
  expect_error(server().get("/configs/agents/Lost"), 404, "not_found");  // nothing registered
}

TEST_F(ApiRoutes, AMisspeltFieldIs400NamingItAndTheFieldItProbablyMeant) {
  const json typo = {{"name", "Typo"}, {"llm_config_id", "offline"}, {"sytem_prompt", "Be brief."}};
  const json error = expect_error(server().post("/configs/agents", typo), 400, "invalid_config");
  ASSERT_EQ(error["details"].size(), 1u) << error;
  EXPECT_EQ(error["details"][0]["path"], "sytem_prompt");
  EXPECT_EQ(error["details"][0]["message"], "unknown key (did you mean 'system_prompt'?)");
  expect_error(server().get("/configs/agents/Typo"), 404, "not_found");  // nothing registered

  const json run = {{"name", "Weather Agent"}, {"message", "Oslo?"}, {"sesion_id", "s1"}};
  const json refused = expect_error(server().post("/runs", run), 400, "invalid_config");
  ASSERT_EQ(refused["details"].size(), 1u) << refused;
  EXPECT_EQ(refused["details"][0]["path"], "sesion_id");
  EXPECT_EQ(refused["details"][0]["message"], "unknown field (did you mean 'session_id'?)");
}

TEST_F(ApiRoutes, DeletingAReferencedComponentIs409NamingWhoUsesIt) {
  const json error = expect_error(server().del("/configs/clients/weather_server"), 409, "conflict");
  const std::string message = error["message"];
  EXPECT_NE(message.find("agent 'Weather Agent'"), std::string::npos) << message;
  expect_error(server().del("/configs/llms/offline"), 409, "conflict");
  expect_error(server().del("/configs/agents/Planner"), 409, "conflict");  // a workflow step
  EXPECT_EQ(server().get("/configs/clients/weather_server")->status, 200);
}

TEST_F(ApiRoutes, RunAnswersTheResultObject) {
  const auto result = server().post("/runs", {{"name", "Weather Agent"}, {"message", "Weather in Oslo?"}});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json body = json_of(result);
  EXPECT_EQ(body["kind"], "agent");
  EXPECT_EQ(body["status"], "completed");
  EXPECT_EQ(body["tool_calls"][0]["name"], "weather_lookup");
  EXPECT_TRUE(body["final_json"].contains("weather_summary"));

  const json missing = expect_error(server().post("/runs", {{"name", "Weather Agent"}}), 400, "invalid_config");
  EXPECT_EQ(missing["details"][0]["path"], "message");
  const json typed = expect_error(server().post("/runs", {{"name", 7}, {"message", "x"}}), 400, "invalid_config");
  EXPECT_EQ(typed["details"][0]["path"], "name");
}


TEST_F(ApiRoutes, RunStreamsEachStepAsServerSentEventsEndingWithDone) {
  auto client = server().client();
  const auto result = client->Post("/runs", {{"Accept", "text/event-stream"}},
                                   json{{"name", "Weather Agent"}, {"message", "Weather in Lima?"}}.dump(),
                                   "application/json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/event-stream");
  const auto events = parse_events(result->body);
  std::vector<std::string> names;
  for (const auto& e : events) {
    if (names.empty() || names.back() != e.event) names.push_back(e.event);  // runs of text collapse
  }
  const std::vector<std::string> expected = {"run",         "model_call", "tool_call", "tool_result",
                                             "model_call", "text",       "done"};
  EXPECT_EQ(names, expected) << result->body;
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].data["name"], "Weather Agent");
  EXPECT_EQ(events[1].data["agent"], "Weather Agent");
  EXPECT_EQ(events[2].data["tool"], "weather_lookup");
  EXPECT_EQ(events.back().data["status"], "completed");
  EXPECT_EQ(events.back().data["kind"], "agent");
  // Numbered from 1 in order, so a client can take up from any of them (Last-Event-ID).
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].id, static_cast<std::int64_t>(i) + 1);
  EXPECT_EQ(events.back().data["run_id"], events[0].data["run_id"]);
}

TEST_F(ApiRoutes, ToolCallAndToolResultEventsCarryTheToolUseIdAndTheToolName) {
  const auto result = server().client()->Post("/runs", {{"Accept", "text/event-stream"}},
                                              json{{"name", "Weather Agent"}, {"message", "Weather in Lima?"}}.dump(),
                                              "application/json");
  ASSERT_TRUE(result);
  const auto events = parse_events(result->body);
  const auto call = std::find_if(events.begin(), events.end(), [](const SseEvent& e) { return e.event == "tool_call"; });
  const auto answer = std::find_if(events.begin(), events.end(), [](const SseEvent& e) { return e.event == "tool_result"; });
  ASSERT_NE(call, events.end()) << result->body;
  ASSERT_NE(answer, events.end()) << result->body;
  ASSERT_TRUE(call->data.contains("id")) << call->data;
  EXPECT_FALSE(call->data["id"].get<std::string>().empty());
  EXPECT_EQ(call->data["id"], answer->data["id"]);
  EXPECT_EQ(call->data["tool"], "weather_lookup");
  EXPECT_EQ(answer->data["tool"], "weather_lookup");
  // The id is the model's: the one the stored tool_use block carries.
  const json done = events.back().data;
  ASSERT_EQ(done["tool_calls"].size(), 1u) << done;
  EXPECT_EQ(done["tool_calls"][0]["id"], call->data["id"]);
}

// A project whose one agent calls the test server's `progress` tool (3 reports).
std::string progress_project(const TempDir& dir) {
  json exclude = json::array();
  for (const auto& tool : kTestServerTools) {
    if (tool != "progress") exclude.push_back(tool);
  }
  const json project = {
      {"name", "progress"},
      {"clients", {{{"client_id", "reporter"}, {"command", AURITE_TEST_MCP_SERVER}, {"exclude", exclude}}}},
      {"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
      {"agents", {{{"name", "Progress Agent"}, {"client_ids", {"reporter"}}, {"llm_config_id", "offline"}}}}};
  return dir.write("aurite_config.json", project.dump(2)).string();
}

TEST(ApiRunProgress, ToolProgressIsStreamedBetweenTheCallAndItsResult) {
  const TempDir dir;
  ServeProcess server(demo_env(), progress_project(dir));
  const auto result = server.client()->Post("/runs", {{"Accept", "text/event-stream"}},
                                            json{{"name", "Progress Agent"}, {"message", "go"}}.dump(), "application/json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  std::vector<std::string> names;
  std::vector<json> progress;
  std::string call_id;
  for (const auto& e : parse_events(result->body)) {
    if (e.event == "tool_call") call_id = e.data.value("id", "");
    if (e.event == "tool_progress") progress.push_back(e.data);
    if (e.event.rfind("tool_", 0) == 0 && (names.empty() || names.back() != e.event)) names.push_back(e.event);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"tool_call", "tool_progress", "tool_result"})) << result->body;
  ASSERT_EQ(progress.size(), 3u) << result->body;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(progress[i]["agent"], "Progress Agent");
    EXPECT_EQ(progress[i]["id"], call_id);
    EXPECT_EQ(progress[i]["tool"], "progress");
    EXPECT_EQ(progress[i]["progress"], i + 1);
    EXPECT_EQ(progress[i]["total"], 3);
    EXPECT_EQ(progress[i]["message"], "step " + std::to_string(i + 1));
  }
  EXPECT_FALSE(call_id.empty());
}

TEST_F(ApiRoutes, AComponentThatCannotBeUsedIs422AndAStreamEndsWithAnError) {
  const json broken = {{"name", "Broken Workflow"}, {"module_path", "no_such_plugin.so"}, {"class_name", "Nothing"}};
  const auto created = server().post("/configs/custom_workflows", broken);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const json run = {{"name", "Broken Workflow"}, {"message", "go"}};
  expect_error(server().post("/runs", run), 422, "invalid_config");

  const auto streamed = server().client()->Post("/runs", {{"Accept", "text/event-stream"}}, run.dump(), "application/json");
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200);
  const auto events = parse_events(streamed->body);
  ASSERT_EQ(events.size(), 2u) << streamed->body;
  EXPECT_EQ(events[0].event, "run");
  EXPECT_EQ(events[1].event, "error");
  EXPECT_EQ(events[1].data["error"]["code"], "invalid_config");
  EXPECT_EQ(server().del("/configs/custom_workflows/" + segment("Broken Workflow"))->status, 204);
}

TEST_F(ApiRoutes, SessionsWithoutADatabaseAre503) {
  expect_error(server().get("/sessions"), 503, "unavailable");
  expect_error(server().get("/sessions/a/b/turns"), 503, "unavailable");
  expect_error(server().del("/sessions/a/b"), 503, "unavailable");
}

TEST(ApiServe, RefusesANonLoopbackHostWithoutAKey) {
  ProcessOptions options;
  options.unset_env = {"AURITE_API_KEY"};
  options.env = {{"AURITE_ENABLE_DB", "false"}};
  const auto result = run_aurite({"serve", "--host", "0.0.0.0", "--port", "0", "--config", demo_project()}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("without AURITE_API_KEY"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace aurite::testing
