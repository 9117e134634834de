// Graph workflows: the schedule (driven through its node seam), and the graphs of the
// project Aurite 0.4.2's `aurite init` writes, run on a real model endpoint and the test
// model.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "aurite/common/error.hpp"
#include "aurite/config/project_file.hpp"
#include "execution/execution_test_support.hpp"
#include "execution/graph_run.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::execution {
namespace {

using Json = nlohmann::json;

config::GraphWorkflowConfig graph(const std::string& name, std::vector<std::pair<std::string, std::string>> nodes,
                                  std::vector<std::pair<std::string, std::string>> edges) {
  config::GraphWorkflowConfig workflow;
  workflow.name = name;
  for (const auto& [id, agent] : nodes) {
    config::GraphNode node;
    node.node_id = id;
    node.name = agent;
    workflow.nodes.push_back(node);
  }
  for (const auto& [from, to] : edges) {
    config::GraphEdge edge;
    edge.from = from;
    edge.to = to;
    workflow.edges.push_back(edge);
  }
  return workflow;
}

AgentResult answered(const std::string& agent, std::string text, RunStatus status = RunStatus::kCompleted) {
  AgentResult result;
  result.agent_name = agent;
  result.final_text = std::move(text);
  result.status = status;
  return result;
}

// Lets a node go on only once `count` nodes have arrived: two nodes can both pass only
// if they run at the same time.
class Meeting {
 public:
  explicit Meeting(int count) : count_(count) {}
  bool arrive() {
    std::unique_lock lock(mutex_);
    if (++arrived_ >= count_) all_here_.notify_all();
    return all_here_.wait_for(lock, std::chrono::seconds(10), [this] { return arrived_ >= count_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_here_;
  int count_;
  int arrived_ = 0;
};

TEST(GraphSchedule, NodesWhoseInputsAreReadyRunTogetherAndTheJoinGetsTheirOutputsByNodeId) {
  const auto workflow = graph("G", {{"a", "A"}, {"b", "B"}, {"c", "C"}}, {{"a", "c"}, {"b", "c"}});
  Meeting meeting(2);
  std::mutex mutex;
  std::map<std::string, std::string> inputs;
  const RunNode run = [&](const std::string& agent, const std::string& input, RunObserver*) {
    {
      std::lock_guard lock(mutex);
      inputs[agent] = input;
    }
    if (agent != "C" && !meeting.arrive()) return answered(agent, "alone", RunStatus::kMaxIterations);
    return answered(agent, agent + " says hi");
  };
  const GraphWorkflowResult result = run_graph(workflow, "go", "s", run, nullptr);
  EXPECT_EQ(result.status, RunStatus::kCompleted) << result.to_json().dump(2);
  EXPECT_EQ(inputs["A"], "go");
  EXPECT_EQ(inputs["B"], "go");
  EXPECT_EQ(Json::parse(inputs["C"]), (Json{{"a", "A says hi"}, {"b", "B says hi"}}));
  EXPECT_EQ(result.final_text, "C says hi");
  EXPECT_EQ(result.final_output, (Json{{"c", "C says hi"}}));
  ASSERT_EQ(result.nodes.size(), 3u);
  const auto& a = result.nodes[0];
  const auto& b = result.nodes[1];
  const auto& c = result.nodes[2];
  EXPECT_LT(std::max(a.started_ms, b.started_ms), std::min(a.finished_ms, b.finished_ms)) << "a and b overlap";
  EXPECT_GE(c.started_ms, std::max(a.finished_ms, b.finished_ms)) << "c waits for both";
  EXPECT_EQ(c.status(), "completed");
}

// What a client sees of a run: a node's end always before the start of what follows it.
class NodeEvents final : public RunObserver {
 public:
  void on_node(const std::string&, const GraphNodeResult& node) override {
    std::lock_guard lock(mutex_);
    events_.push_back(node.node_id + " " + node.status());
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> events_;
};

TEST(GraphSchedule, ANodesEndIsReportedBeforeItsSuccessorStarts) {
  const auto workflow = graph("G", {{"a", "A"}, {"b", "B"}, {"c", "C"}}, {{"a", "b"}, {"b", "c"}});
  const RunNode run = [](const std::string& agent, const std::string&, RunObserver*) { return answered(agent, "ok"); };
  for (int attempt = 0; attempt < 20; ++attempt) {
    NodeEvents events;
    run_graph(workflow, "go", "s", run, &events);
    EXPECT_EQ(events.events(), (std::vector<std::string>{"a running", "a completed", "b running", "b completed",
                                                         "c running", "c completed"}));
  }
}

TEST(GraphSchedule, SeveralEndNodesGiveTheirOutputsAsOneObject) {
  const auto workflow = graph("G", {{"start", "S"}, {"left", "L"}, {"right", "R"}}, {{"start", "left"}, {"start", "right"}});
  const RunNode run = [](const std::string& agent, const std::string&, RunObserver*) { return answered(agent, agent); };
  const GraphWorkflowResult result = run_graph(workflow, "go", "s", run, nullptr);
  EXPECT_EQ(result.final_output, (Json{{"left", "L"}, {"right", "R"}}));
  EXPECT_EQ(Json::parse(result.final_text), result.final_output);
}

TEST(GraphSchedule, ANodeThatFailsStopsTheGraphNamesTheNodeAndStartsNothingMore) {
  const auto workflow = graph("G", {{"a", "A"}, {"b", "B"}, {"side", "Side"}}, {{"a", "b"}});
  std::atomic<int> b_runs{0};
  std::atomic<int> side_runs{0};
  const RunNode run = [&](const std::string& agent, const std::string&, RunObserver*) -> AgentResult {
    if (agent == "A") throw Error(ErrorCode::kUpstream, "the model said 500");
    if (agent == "B") ++b_runs;
    if (agent == "Side") ++side_runs;
    return answered(agent, "ok");
  };
  try {
    run_graph(workflow, "go", "s", run, nullptr);
    FAIL() << "the graph should have failed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUpstream);
    EXPECT_NE(std::string(error.what()).find("graph workflow 'G': node 'a' (agent 'A') failed: the model said 500"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(b_runs, 0);
  EXPECT_LE(side_runs, 1);  // it was ready with a, so it may have run; never twice
}

TEST(GraphSchedule, ANodeThatDoesNotCompleteStopsTheGraphWithItsStatus) {
  const auto workflow = graph("G", {{"a", "A"}, {"b", "B"}}, {{"a", "b"}});
  const RunNode run = [](const std::string& agent, const std::string&, RunObserver*) {
    return answered(agent, "still busy", agent == "A" ? RunStatus::kMaxIterations : RunStatus::kCompleted);
  };
  const GraphWorkflowResult result = run_graph(workflow, "go", "s", run, nullptr);
  EXPECT_EQ(result.status, RunStatus::kMaxIterations);
  EXPECT_EQ(result.stopped_at, "a");
  EXPECT_EQ(result.final_text, "still busy");
  EXPECT_EQ(result.nodes[1].status(), "not_run");
  EXPECT_EQ(result.to_json()["nodes"][1]["status"], "not_run");
}

// The project `aurite init` of Aurite 0.4.2 writes, loaded as it is. Its Python MCP
// servers do not run here and no agent of its graphs uses them; its llm is pointed at
// the endpoint each test gives.
config::ProjectConfig init_project() {
  auto loaded = config::load_project_file(AURITE_TEST_DATA_DIR "/aurite04/init_project", config::ProblemPolicy::kRefuse);
  return loaded.project;
}

void use_llm(config::ProjectConfig& project, const config::LlmConfig& llm) {
  for (auto& existing : project.llms) {
    if (existing.llm_id == llm.llm_id) existing = llm;
  }
}

TEST(InitProjectGraphs, TheParallelGraphRunsItsIndependentNodesAtTheSameTime) {
  testing::ScriptedHttpServer model;
  // r1a, y1a and r1b start together; then b2a and y2b; then r3a and b3b. Each reply is
  // held until its whole group is waiting, so the run completes only if they overlap.
  for (const std::size_t group : {3, 3, 3, 2, 2, 2, 2}) {
    testing::ScriptedReply reply;
    reply.body = testing::anthropic_reply({{{"type", "text"}, {"text", "Hello World red"}}});
    reply.together = group;
    model.push(std::move(reply));
  }
  config::ProjectConfig project = init_project();
  use_llm(project, testing::scripted_llm("anthropic_claude_3_haiku", model.base_url()));
  testing::ProjectRun run(project);
  const GraphWorkflowResult result =
      run.facade->run_graph_workflow("Parallel Graph Workflow", "Hello World", "colors", nullptr);
  ASSERT_EQ(result.status, RunStatus::kCompleted) << result.to_json().dump(2);
  EXPECT_EQ(model.requests().size(), 7u);
  EXPECT_EQ(result.final_output, (Json{{"r3a", "Hello World red"}, {"b3b", "Hello World red"}}));
  const auto at = [&](const std::string& id) {
    for (const auto& node : result.nodes) {
      if (node.node_id == id) return node;
    }
    throw std::runtime_error("no node " + id);
  };
  const double last_start = std::max({at("r1a").started_ms, at("y1a").started_ms, at("r1b").started_ms});
  const double first_end = std::min({at("r1a").finished_ms, at("y1a").finished_ms, at("r1b").finished_ms});
  EXPECT_LT(last_start, first_end) << "the three start nodes overlap";
  RecordProperty("start_nodes_overlap_ms", std::to_string(first_end - last_start));
  // b2a's input is its two predecessors' answers, keyed by node id.
  const std::string b2a_input = at("b2a").agent->new_turns.empty() ? "" : llm::text_of(at("b2a").agent->new_turns[0].content);
  EXPECT_EQ(Json::parse(b2a_input), (Json{{"r1a", "Hello World red"}, {"y1a", "Hello World red"}}));
  // Every model call carried the agent's own system prompt and the llm override (temperature 0).
  for (const auto& request : model.requests()) EXPECT_EQ(Json::parse(request.body)["temperature"], 0) << request.body;
}

TEST(InitProjectGraphs, TheColorGraphRunsOnTheTestModelAndJoinsBothBranches) {
  config::ProjectConfig project = init_project();
  config::LlmConfig offline = testing::offline_llm();
  offline.llm_id = "anthropic_claude_3_haiku";
  use_llm(project, offline);
  testing::ProjectRun run(project);
  const Json result = run.facade->run("Color Graph Workflow", "Hello World", "colors");
  EXPECT_EQ(result["kind"], "graph_workflow");
  EXPECT_EQ(result["status"], "completed");
  ASSERT_EQ(result["nodes"].size(), 4u);
  for (const auto& node : result["nodes"]) EXPECT_EQ(node["status"], "completed") << node.dump();
  EXPECT_EQ(result["final_output"].size(), 1u);
  EXPECT_TRUE(result["final_output"].contains("r2")) << result.dump();
  // r2 got b1's and y1's answers, which both started from r1's.
  const std::string r2_input = llm::text_of(llm::message_from_json(result["nodes"][3]["result"]["turns"][0]).content);
  const Json joined = Json::parse(r2_input);
  EXPECT_TRUE(joined.contains("b1") && joined.contains("y1")) << r2_input;
  EXPECT_NE(joined["b1"].get<std::string>().find("Hello World"), std::string::npos);
}

}  // namespace
}  // namespace aurite::execution
