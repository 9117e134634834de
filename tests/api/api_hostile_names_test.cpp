// Hostile names through `aurite serve` on both backends: SQL, quotes, dots and Unicode
// as agent names and session ids go through POST /configs/agents, POST /runs and
// GET /sessions verbatim with the tables intact; control characters, "/" and huge names
// are 400 naming the field, and a huge name is never echoed back in full.
#include <gtest/gtest.h>

#include "api/serve_backend_test.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;

class ApiHostileNames : public ServeBackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiHostileNames);

// The paths of an error's details.
std::vector<std::string> detail_paths(const json& error) {
  std::vector<std::string> paths;
  if (error.is_object() && error.contains("details")) {
    for (const auto& detail : error["details"]) paths.push_back(detail.value("path", ""));
  }
  return paths;
}

TEST_P(ApiHostileNames, AreCreatedRunAndReadBackVerbatim) {
  ServeProcess server(env());
  json agent = json_of(server.get("/configs/agents/" + segment("Weather Agent")));
  ASSERT_TRUE(agent.is_object());
  for (const std::string name : {"'; DROP TABLE agent_history; --", "Robert'); DELETE FROM sessions; --",
                                 "Ünïcödé 名前 🚀", "%s%n{}$1?1", ".."}) {
    agent["name"] = name;
    const auto created = server.post("/configs/agents", agent);
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201) << name << ": " << created->body;
    EXPECT_EQ(json_of(server.get("/configs/agents/" + segment(name)))["name"], name);

    const auto run = server.post("/runs", {{"name", name}, {"message", "Oslo"}, {"session_id", name}});
    ASSERT_TRUE(run);
    ASSERT_EQ(run->status, 200) << name << ": " << run->body;
    EXPECT_EQ(json_of(run)["session_id"], name);

    const json turns = json_of(server.get("/sessions/" + segment(name) + "/" + segment(name) + "/turns"));
    ASSERT_TRUE(turns.contains("turns")) << turns;
    ASSERT_FALSE(turns["turns"].empty()) << name;
    EXPECT_EQ(turns["agent"], name) << turns;
    EXPECT_EQ(turns["session_id"], name) << turns;
    EXPECT_NE(turns["turns"][0]["content"].dump().find("Oslo"), std::string::npos) << turns;
  }
  // The tables the names talk about are still there and still work.
  const auto plain = server.post("/runs", {{"name", "Weather Agent"}, {"message", "Oslo"}, {"session_id", "plain"}});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200) << plain->body;
  EXPECT_FALSE(json_of(server.get("/sessions/" + segment("Weather Agent") + "/plain/turns"))["turns"].empty());
  const auto sessions = json_of(server.get("/sessions?limit=100"));
  ASSERT_TRUE(sessions.contains("sessions")) << sessions;
  EXPECT_EQ(sessions["sessions"].size(), 6u) << sessions;
}

TEST_P(ApiHostileNames, BadNamesAre400NamingTheFieldWithoutEcho) {
  ServeProcess server(env());
  json agent = json_of(server.get("/configs/agents/" + segment("Weather Agent")));
  ASSERT_TRUE(agent.is_object());
  const std::string big(900 * 1024, 'n');  // under the 1 MiB body limit
  for (const std::string& name : {std::string("nul\0x", 5), std::string("two\nlines"), std::string("../../etc/passwd"),
                                 std::string(257, 'l'), big}) {
    agent["name"] = name;
    const auto created = server.post("/configs/agents", agent);
    const json error = expect_error(created, 400, "invalid_config");
    EXPECT_EQ(detail_paths(error), std::vector<std::string>{"name"}) << error.dump().substr(0, 500);
    ASSERT_TRUE(created);
    EXPECT_LT(created->body.size(), 2048u) << "the name was echoed";

    for (const char* field : {"name", "session_id"}) {
      json body = {{"name", "Weather Agent"}, {"message", "Oslo"}, {"session_id", "s"}};
      body[field] = name;
      const auto run = server.post("/runs", body);
      const json run_error = expect_error(run, 400, "invalid_config");
      EXPECT_EQ(detail_paths(run_error), std::vector<std::string>{field}) << run_error.dump().substr(0, 500);
      ASSERT_TRUE(run);
      EXPECT_LT(run->body.size(), 2048u) << "the name was echoed";
    }
  }
  // A session id with a control character in the path: 400, not a cut-off lookup.
  expect_error(server.get("/sessions/" + segment("Weather Agent") + "/a%0Ab/turns"), 400, "invalid_argument");
  // 10 MB is over the body limit: refused before it is read, with a short body.
  agent["name"] = std::string(10 * 1024 * 1024, 'm');
  const auto huge = server.post("/configs/agents", agent);
  expect_error(huge, 413, "payload_too_large");
  ASSERT_TRUE(huge);
  EXPECT_LT(huge->body.size(), 2048u);
  // Nothing was created, and the server is fine.
  const json agents = json_of(server.get("/configs/agents"));
  ASSERT_TRUE(agents.contains("items")) << agents.dump().substr(0, 300);
  for (const auto& item : agents["items"]) EXPECT_LT(item.value("name", "").size(), 257u);
}

}  // namespace
}  // namespace aurite::testing
