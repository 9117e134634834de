// /configs/graph_workflows over real HTTP against `aurite serve` with a database, on both
// backends: create, list, get, replace and delete, each stored; and Aurite 0.4 bodies
// (their field names, a "type" naming the kind) on every configs route, a "type" naming
// another kind refused at "type".
#include <gtest/gtest.h>

#include "api/serve_backend_test.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;

class ApiGraphConfigs : public ServeBackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiGraphConfigs);

json graph(const std::string& name) {
  return {{"type", "graph_workflow"},
          {"name", name},
          {"description", "report, then plan"},
          {"nodes",
           {{{"node_id", "report"}, {"name", "Weather Reporter"}},
            {{"node_id", "plan"}, {"name", "Planner"}, {"type", "agent"}}}},
          {"edges", {{{"from", "report"}, {"to", "plan"}}}}};
}

TEST_P(ApiGraphConfigs, GraphWorkflowsAreCreatedListedReplacedAndDeletedAndStored) {
  ServeProcess server(env());
  EXPECT_EQ(json_of(server.get("/configs/graph_workflows"))["items"], json::array());

  const auto created = server.post("/configs/graph_workflows", graph("Plan Graph"));
  ASSERT_EQ(status_of(created), 201) << (created ? created->body : "");
  EXPECT_EQ(json_of(created)["nodes"][1]["name"], "Planner");
  EXPECT_FALSE(json_of(created).contains("type"));  // stored under the current names
  const json twice =
      expect_error(server.post("/configs/graph_workflows", graph("Plan Graph")), 409, "already_exists");
  EXPECT_NE(twice["message"].get<std::string>().find("Plan Graph"), std::string::npos) << twice;

  const json listed = json_of(server.get("/configs/graph_workflows"));
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["name"], "Plan Graph");
  EXPECT_EQ(json_of(server.get("/configs/graph_workflows/" + segment("Plan Graph")))["edges"][0]["to"],
            "plan");

  json changed = graph("Plan Graph");
  changed.erase("name");  // taken from the path
  changed["description"] = "changed";
  const auto replaced = server.put("/configs/graph_workflows/" + segment("Plan Graph"), changed);
  EXPECT_EQ(status_of(replaced), 200) << (replaced ? replaced->body : "");
  EXPECT_EQ(json_of(server.get("/configs/graph_workflows/" + segment("Plan Graph")))["description"],
            "changed");
  const auto put_new = server.put("/configs/graph_workflows/Second", graph("Second"));
  EXPECT_EQ(status_of(put_new), 201) << (put_new ? put_new->body : "");
  const auto mismatch = server.put("/configs/graph_workflows/Second", graph("Other"));
  EXPECT_EQ(expect_error(mismatch, 400, "invalid_config")["details"][0]["path"], "name");

  // Validated as in the project file: a node naming no agent is refused at its path.
  json dangling = graph("Dangling");
  dangling["nodes"][0]["name"] = "Nobody";
  const json refused = expect_error(server.post("/configs/graph_workflows", dangling), 400, "invalid_config");
  ASSERT_FALSE(refused["details"].empty()) << refused;
  EXPECT_EQ(refused["details"][0]["path"].get<std::string>().rfind("nodes[0]", 0), 0u) << refused;
  expect_error(server.get("/configs/graph_workflows/Dangling"), 404, "not_found");

  // An agent a node runs cannot be deleted.
  const json in_use = expect_error(server.del("/configs/agents/Planner"), 409, "conflict");
  EXPECT_NE(in_use["message"].get<std::string>().find("graph workflow"), std::string::npos) << in_use;

  EXPECT_EQ(status_of(server.del("/configs/graph_workflows/" + segment("Plan Graph"))), 204);
  expect_error(server.get("/configs/graph_workflows/" + segment("Plan Graph")), 404, "not_found");
  expect_error(server.del("/configs/graph_workflows/" + segment("Plan Graph")), 404, "not_found");

  const auto stored = open()->configs()->load_configs();
  ASSERT_EQ(stored.graph_workflows.size(), 1u);
  EXPECT_EQ(stored.graph_workflows[0].name, "Second");
  EXPECT_EQ(stored.graph_workflows[0].nodes.size(), 2u);
}

TEST_P(ApiGraphConfigs, ATypeNamingAnotherKindIs400AtTypeAndNothingIsRegistered) {
  ServeProcess server(env());
  json agent_typed = graph("Wrong Kind");
  agent_typed["type"] = "agent";
  const json error =
      expect_error(server.post("/configs/graph_workflows", agent_typed), 400, "invalid_config");
  ASSERT_EQ(error["details"].size(), 1u) << error;
  EXPECT_EQ(error["details"][0]["path"], "type");
  EXPECT_NE(error["details"][0]["message"].get<std::string>().find("'agent'"), std::string::npos) << error;
  const json put_error = expect_error(
      server.put("/configs/graph_workflows/" + segment("Wrong Kind"), agent_typed), 400, "invalid_config");
  EXPECT_EQ(put_error["details"][0]["path"], "type");
  expect_error(server.get("/configs/graph_workflows/" + segment("Wrong Kind")), 404, "not_found");

  // A graph sent to the agents route: one detail, at "type", not one per graph field.
  const json as_agent =
      expect_error(server.post("/configs/agents", graph("Wrong Route")), 400, "invalid_config");
  ASSERT_EQ(as_agent["details"].size(), 1u) << as_agent;
  EXPECT_EQ(as_agent["details"][0]["path"], "type");
  expect_error(server.get("/configs/agents/" + segment("Wrong Route")), 404, "not_found");
  EXPECT_TRUE(open()->configs()->load_configs().graph_workflows.empty());
}

TEST_P(ApiGraphConfigs, Aurite04BodiesWithTheirTypeAndFieldNamesAreAcceptedOnEveryRoute) {
  ServeProcess server(env());
  const std::vector<std::pair<std::string, json>> bodies = {
      {"clients",
       {{"type", "mcp_server"}, {"name", "old_client"}, {"command", "aurite-example-weather-server"}}},
      {"llms", {{"type", "llm"}, {"name", "old_llm"}, {"provider", "test"}}},
      {"agents",
       {{"type", "agent"},
        {"name", "Old Agent"},
        {"llm_config_id", "old_llm"},
        {"mcp_servers", {"old_client"}}}},
      {"workflows", {{"type", "linear_workflow"}, {"name", "Old Flow"}, {"steps", {"Old Agent"}}}},
      {"custom_workflows",
       {{"type", "custom_workflow"},
        {"name", "Old Custom"},
        {"module_path", "plugins/libaurite_example_workflow.so"},
        {"class_name", "ExampleCustomWorkflow"}}},
      {"graph_workflows", graph("Old Graph")},
  };
  for (const auto& [kind, body] : bodies) {
    const auto created = server.post("/configs/" + kind, body);
    EXPECT_EQ(status_of(created), 201) << kind << ": " << (created ? created->body : "");
    // The 0.4 name key counts as the name: a second POST is a duplicate, a PUT replaces.
    expect_error(server.post("/configs/" + kind, body), 409, "already_exists");
    const std::string name = body["name"];
    const auto replaced = server.put("/configs/" + kind + "/" + segment(name), body);
    EXPECT_EQ(status_of(replaced), 200) << kind << ": " << (replaced ? replaced->body : "");
  }
  EXPECT_EQ(json_of(server.get("/configs/clients/old_client"))["client_id"], "old_client");
  EXPECT_EQ(json_of(server.get("/configs/agents/" + segment("Old Agent")))["client_ids"],
            json::array({"old_client"}));

  const auto put_new =
      server.put("/configs/llms/newer_llm", {{"type", "llm"}, {"name", "newer_llm"}, {"provider", "test"}});
  EXPECT_EQ(status_of(put_new), 201) << (put_new ? put_new->body : "");
  const auto mismatch = server.put("/configs/llms/newer_llm", {{"name", "other"}, {"provider", "test"}});
  EXPECT_EQ(expect_error(mismatch, 400, "invalid_config")["details"][0]["path"], "name");

  const auto stored = open()->configs()->load_configs();
  EXPECT_EQ(stored.graph_workflows.size(), 1u);
  EXPECT_EQ(stored.custom_workflows.size(), 2u);  // the demo's and the 0.4 one
}

// A graph workflow created over the API runs over the API, its nodes streamed as they
// start and end.
TEST_P(ApiGraphConfigs, AGraphWorkflowRunsWithItsNodesAsServerSentEvents) {
  ServeProcess server(env());
  ASSERT_EQ(status_of(server.post("/configs/graph_workflows", graph("Plan Graph"))), 201);
  const auto result = server.client()->Post("/runs", {{"Accept", "text/event-stream"}},
                                            json{{"name", "Plan Graph"}, {"message", "Lima"}}.dump(), "application/json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  std::vector<std::pair<std::string, json>> nodes;
  json done;
  for (const auto& [event, data, id] : parse_events(result->body)) {
    if (event == "node") nodes.emplace_back(data["node_id"].get<std::string>() + " " + data["status"].get<std::string>(), data);
    if (event == "done") done = data;
  }
  std::vector<std::string> seen;
  for (const auto& [what, data] : nodes) seen.push_back(what);
  EXPECT_EQ(seen, (std::vector<std::string>{"report running", "report completed", "plan running", "plan completed"}));
  EXPECT_EQ(nodes[1].second["agent"], "Weather Reporter");
  EXPECT_EQ(done["kind"], "graph_workflow");
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["nodes"].size(), 2u);
  EXPECT_EQ(done["final_output"].size(), 1u);
}

}  // namespace
}  // namespace aurite::testing
