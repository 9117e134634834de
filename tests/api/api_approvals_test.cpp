// Approvals through a real `aurite serve`, on both backends: POST /runs answers
// awaiting_approval with the waiting calls (streamed: approval_required, then done);
// GET /approvals lists them; POST /approvals/{id} continues the run as POST /runs answers
// (JSON or events); a second decision is 409, an unknown id 404, a bad field 400 naming
// it. A server killed right after its run paused loses nothing: another server continues.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <set>

#include "api/serve_backend_test.hpp"
#include "support/gated_project.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kPlanner = "Weather Planning Agent";

class ApiApprovals : public ServeBackendTest {
 protected:
  void SetUp() override {
    ServeBackendTest::SetUp();
    project_ = write_gated_demo_project(dir_).string();
  }

  static httplib::Result post_streamed(const ServeProcess& server, const std::string& path, const json& body) {
    return server.client()->Post(path, {{"Accept", "text/event-stream"}}, body.dump(), "application/json");
  }

  json paused_run(const ServeProcess& server) {
    const auto result = server.post("/runs", {{"name", kPlanner}, {"message", "Oslo tomorrow"}, {"session_id", "trip"}});
    EXPECT_EQ(status_of(result), 200) << (result ? result->body : "");
    return json_of(result);
  }

  bool plan_saved() const {
    return std::filesystem::exists(dir_ / "plans") && !std::filesystem::is_empty(dir_ / "plans");
  }

  std::string project_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiApprovals);

TEST_P(ApiApprovals, ARunWaitsAndAnApprovalContinuesItAsEvents) {
  ServeProcess server(env(), project_);
  const json paused = paused_run(server);
  EXPECT_EQ(paused["status"], "awaiting_approval");
  ASSERT_EQ(paused["pending_approvals"].size(), 1u);
  const json pending = paused["pending_approvals"][0];
  EXPECT_EQ(pending["tool"], "save_plan");
  EXPECT_EQ(pending["client_id"], "planning_server");
  EXPECT_FALSE(plan_saved());

  const json listed = json_of(server.get("/approvals?session=trip"));
  ASSERT_EQ(listed["approvals"].size(), 1u);
  EXPECT_EQ(listed["approvals"][0]["id"], pending["id"]);
  EXPECT_EQ(listed["approvals"][0]["status"], "pending");
  EXPECT_EQ(json_of(server.get("/approvals?session=elsewhere"))["approvals"].size(), 0u);

  const std::string path = "/approvals/" + pending["id"].get<std::string>();
  const auto streamed = post_streamed(server, path, {{"decision", "approve"}});
  ASSERT_EQ(status_of(streamed), 200);
  const auto events = parse_events(streamed->body);
  ASSERT_FALSE(events.empty());
  const auto call = std::find_if(events.begin(), events.end(), [](const SseEvent& e) { return e.event == "tool_call"; });
  ASSERT_NE(call, events.end()) << streamed->body;
  EXPECT_EQ(call->data["tool"], "save_plan");
  EXPECT_EQ(events.back().event, "done");
  EXPECT_EQ(events.back().data["status"], "completed");
  EXPECT_EQ(events.back().data["approval"]["status"], "approved");
  EXPECT_THAT(events.back().data["approval"]["decided_by"].get<std::string>(), HasSubstr("127.0.0.1"));
  EXPECT_TRUE(plan_saved());

  const json again = expect_error(server.post(path, {{"decision", "deny"}}), 409, "already_decided");
  EXPECT_THAT(again["message"].get<std::string>(), HasSubstr("was already approved by"));
  EXPECT_EQ(json_of(server.get("/approvals"))["approvals"].size(), 0u);
  EXPECT_EQ(json_of(server.get("/approvals?status=all"))["approvals"].size(), 1u);
}

TEST_P(ApiApprovals, AStreamedRunSendsApprovalRequiredThenDone) {
  ServeProcess server(env(), project_);
  const auto streamed = post_streamed(server, "/runs", {{"name", kPlanner}, {"message", "Oslo"}, {"session_id", "s"}});
  ASSERT_EQ(status_of(streamed), 200);
  const auto events = parse_events(streamed->body);
  ASSERT_GE(events.size(), 2u);
  const SseEvent& required = events[events.size() - 2];
  EXPECT_EQ(required.event, "approval_required") << streamed->body;
  EXPECT_EQ(required.data["tool"], "save_plan");
  EXPECT_EQ(required.data["agent"], kPlanner);
  EXPECT_EQ(events.back().event, "done");
  EXPECT_EQ(events.back().data["status"], "awaiting_approval");
  EXPECT_EQ(events.back().data["pending_approvals"][0]["id"], required.data["id"]);

  // A deny through JSON answers the continued run as POST /runs does.
  const json denied = json_of(server.post("/approvals/" + required.data["id"].get<std::string>(),
                                          {{"decision", "deny"}, {"reason", "not now"}}));
  EXPECT_EQ(denied["kind"], "agent");
  EXPECT_EQ(denied["status"], "completed");
  EXPECT_THAT(denied["final_text"].get<std::string>(), HasSubstr("denied by the user: not now"));
  EXPECT_FALSE(plan_saved());
}

TEST_P(ApiApprovals, BadDecisionsAreNamedAndUnknownIdsAre404) {
  ServeProcess server(env(), project_);
  const std::string id = paused_run(server)["pending_approvals"][0]["id"].get<std::string>();
  const json bad = expect_error(server.post("/approvals/" + id, {{"decision", "maybe"}, {"arg", json::object()}}), 400,
                                "invalid_config");
  std::set<std::string> paths;
  for (const auto& detail : bad["details"]) paths.insert(detail["path"].get<std::string>());
  EXPECT_EQ(paths, (std::set<std::string>{"decision", "arg"}));
  expect_error(server.post("/approvals/" + id, {{"decision", "approve"}, {"args", "x"}}), 400, "invalid_config");
  expect_error(server.post("/approvals/apr_nothing", {{"decision", "approve"}}), 404, "not_found");
  expect_error(server.get("/approvals?status=later"), 400, "invalid_argument");
  EXPECT_FALSE(plan_saved());
  EXPECT_EQ(json_of(server.get("/approvals"))["approvals"][0]["status"], "pending");  // nothing was decided
}

TEST_P(ApiApprovals, AServerKilledRightAfterItsRunPausedLosesNothing) {
  std::string id;
  {
    ServeProcess first(env(), project_);
    id = paused_run(first)["pending_approvals"][0]["id"].get<std::string>();
    first.process().kill(SIGKILL);
    first.process().wait();
  }
  ServeProcess second(env(), project_);
  const json out = json_of(second.post("/approvals/" + id, {{"decision", "approve"}}));
  EXPECT_EQ(out["status"], "completed");
  EXPECT_TRUE(plan_saved());
  const auto turns = open()->history()->load_history(kPlanner, "trip", 100);
  ASSERT_EQ(turns.size(), 4u);  // user, calls, results, answer: nothing lost or doubled
  EXPECT_EQ(turns[2].role, "user");
}

}  // namespace
}  // namespace aurite::testing
