// Two `aurite serve` processes on one database serve the same configs: what is created,
// replaced or deleted through one is served by the other after its next reload, MCP
// clients included, on both backends.
#include <gtest/gtest.h>

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <thread>

#include "api/serve_backend_test.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/postgres_server.hpp"
#include "support/wait_until.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;

// Short, so the test waits little; the bound it checks is "eventually, within a deadline".
const std::vector<std::string> kFastReload = {"--reload-interval", "0.2"};

// A reload on the other server, within a deadline generous for sanitizer builds.
bool eventually(const std::function<bool()>& condition) { return testing::wait_until(condition, std::chrono::seconds(20)); }

bool process_gone(int pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

json agent(const std::string& name, const std::string& prompt, const json& client_ids = json::array()) {
  return {{"name", name}, {"system_prompt", prompt}, {"llm_config_id", "offline"}, {"client_ids", client_ids}};
}

// A client running the test MCP server with its tools prefixed by `prefix`, all hidden
// but `<prefix>pid` so the test model (which calls every tool it sees) calls only that.
json probe_client(const std::string& prefix) {
  json exclude = json::array();
  for (const auto& tool : kTestServerTools) {
    if (tool != "pid") exclude.push_back(prefix + tool);
  }
  return {{"client_id", "probe"},
          {"command", AURITE_TEST_MCP_SERVER},
          {"args", {"--prefix", prefix}},
          {"exclude", exclude}};
}

class ApiSharedConfigs : public ServeBackendTest {
 protected:
  static json run(const ServeProcess& server, const std::string& agent_name) {
    const auto result = server.post("/runs", {{"name", agent_name}, {"message", "hello"}});
    EXPECT_EQ(status_of(result), 200) << (result ? result->body : httplib::to_string(result.error()));
    return result && result->status == 200 ? json::parse(result->body) : json::object();
  }

  // The pid the probe client's server reported in a run of `agent_name`, when the run
  // called `tool` (and only that tool); -1 otherwise.
  static int probe_pid(const ServeProcess& server, const std::string& agent_name, const std::string& tool) {
    const json result = run(server, agent_name);
    const json calls = result.value("tool_calls", json::array());
    if (calls.size() != 1 || calls[0]["name"] != tool || calls[0]["is_error"] == true) return -1;
    return std::stoi(calls[0]["result"].get<std::string>());
  }
};

TEST_P(ApiSharedConfigs, AnAgentCreatedReplacedAndDeletedOnOneServerIsServedSoByTheOther) {
  ServeProcess a(env(), demo_project(), kFastReload);
  ServeProcess b(env(), demo_project(), kFastReload);
  const std::string path = "/configs/agents/" + segment("Shared Agent");
  expect_error(b.get(path), 404, "not_found");

  ASSERT_EQ(status_of(a.post("/configs/agents", agent("Shared Agent", "first"))), 201);
  ASSERT_TRUE(eventually([&] { return status_of(b.get(path)) == 200; })) << "B never served the agent made on A";
  EXPECT_EQ(json_of(b.get(path)), json_of(a.get(path)));
  EXPECT_EQ(run(b, "Shared Agent")["status"], "completed");

  ASSERT_EQ(status_of(a.put(path, agent("Shared Agent", "second"))), 200);
  EXPECT_TRUE(eventually([&] { return json_of(b.get(path)).value("system_prompt", "") == "second"; }));

  ASSERT_EQ(status_of(a.del(path)), 204);
  EXPECT_TRUE(eventually([&] { return status_of(b.get(path)) == 404; })) << "B still serves the deleted agent";
  expect_error(b.post("/runs", {{"name", "Shared Agent"}, {"message", "hello"}}), 404, "not_found");
}

TEST_P(ApiSharedConfigs, AnMcpClientAddedThroughTheApiIsUsedWithoutARestart) {
  ServeProcess a(env(), demo_project(), kFastReload);
  ServeProcess b(env(), demo_project(), kFastReload);
  ASSERT_EQ(status_of(a.post("/configs/clients", probe_client("v1_"))), 201);
  ASSERT_EQ(status_of(a.post("/configs/agents", agent("Probe Agent", "probe", {"probe"}))), 201);
  const int first = probe_pid(a, "Probe Agent", "v1_pid");
  ASSERT_GT(first, 0) << "the new client's tool was not called on A";
  ASSERT_TRUE(eventually([&] { return status_of(b.get("/configs/agents/" + segment("Probe Agent"))) == 200; }));
  const int on_b = probe_pid(b, "Probe Agent", "v1_pid");
  EXPECT_GT(on_b, 0) << "the client reloaded on B was not used";
  EXPECT_NE(on_b, first);  // each process runs its own server

  // Replaced: the old server stops and the next run uses the new definition, on both.
  ASSERT_EQ(status_of(a.put("/configs/clients/probe", probe_client("v2_"))), 200);
  EXPECT_TRUE(eventually([&] { return process_gone(first); })) << "A's old server " << first << " still runs";
  const int second = probe_pid(a, "Probe Agent", "v2_pid");
  EXPECT_GT(second, 0) << "A did not use the replaced client";
  EXPECT_NE(second, first);
  EXPECT_TRUE(eventually([&] { return process_gone(on_b); })) << "B's old server " << on_b << " still runs";
  EXPECT_GT(probe_pid(b, "Probe Agent", "v2_pid"), 0) << "B did not use the replaced client";

  // Removed: its server stops.
  ASSERT_EQ(status_of(a.del("/configs/agents/" + segment("Probe Agent"))), 204);
  ASSERT_EQ(status_of(a.del("/configs/clients/probe")), 204);
  EXPECT_TRUE(eventually([&] { return process_gone(second); })) << "the removed client's server still runs";
  EXPECT_TRUE(eventually([&] { return status_of(b.get("/configs/clients/probe")) == 404; }));
}

TEST_P(ApiSharedConfigs, ADatabaseOutageKeepsTheLastConfigsAndReloadingResumesAfter) {
  if (!is_postgres()) GTEST_SKIP() << "a SQLite file cannot go away like a server";
  ServeProcess a(env(), demo_project(), kFastReload);
  ServeProcess b(env(), demo_project(), kFastReload);
  PostgresServer::shared().stop();
  // Several reload intervals pass while the database is down; B keeps serving.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(status_of(b.get("/configs/agents/" + segment("Weather Agent"))), 200);
  PostgresServer::shared().start();
  ASSERT_TRUE(eventually([&] { return status_of(a.post("/configs/agents", agent("After Outage", "x"))) == 201; }));
  EXPECT_TRUE(eventually([&] { return status_of(b.get("/configs/agents/" + segment("After Outage"))) == 200; }));
}

AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiSharedConfigs);

}  // namespace
}  // namespace aurite::testing
