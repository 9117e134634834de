#include "execution/graph_run.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "aurite/common/error.hpp"

namespace aurite::execution {
namespace {

using Clock = std::chrono::steady_clock;

// What a node's agent reports, minus the streamed text: pieces of answers written at the
// same time by several agents would interleave into nonsense. Each node's answer is in
// its result.
class NodeObserver final : public RunObserver {
 public:
  explicit NodeObserver(RunObserver& to) : to_(to) {}
  void on_history_loaded(const std::string& agent, std::size_t turns) override { to_.on_history_loaded(agent, turns); }
  void on_model_call(const std::string& agent, int iteration) override { to_.on_model_call(agent, iteration); }
  void on_model_reply(const std::string& agent, const llm::ModelResponse& reply, double ms) override {
    to_.on_model_reply(agent, reply, ms);
  }
  void on_tool_call(const std::string& agent, const ToolCallRequest& call) override { to_.on_tool_call(agent, call); }
  void on_tool_progress(const std::string& agent, const ToolProgress& progress) override {
    to_.on_tool_progress(agent, progress);
  }
  void on_tool_result(const std::string& agent, const ToolCallRecord& record) override {
    to_.on_tool_result(agent, record);
  }
  void on_agent_done(const AgentResult& result) override { to_.on_agent_done(result); }

 private:
  RunObserver& to_;
};

class GraphRun {
 public:
  GraphRun(const config::GraphWorkflowConfig& workflow, const RunNode& run_node, RunObserver* observer)
      : workflow_(workflow), run_node_(run_node), observer_(observer), started_(Clock::now()) {
    std::map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < workflow.nodes.size(); ++i) index_of.emplace(workflow.nodes[i].node_id, i);
    predecessors_.resize(workflow.nodes.size());
    successors_.resize(workflow.nodes.size());
    for (const auto& edge : workflow.edges) {
      const std::size_t from = index_of.at(edge.from);
      const std::size_t to = index_of.at(edge.to);
      if (std::find(successors_[from].begin(), successors_[from].end(), to) != successors_[from].end()) continue;
      successors_[from].push_back(to);
      predecessors_[to].push_back(from);
    }
    waiting_for_.resize(workflow.nodes.size());
    for (std::size_t i = 0; i < workflow.nodes.size(); ++i) {
      waiting_for_[i] = predecessors_[i].size();
      GraphNodeResult node;
      node.node_id = workflow.nodes[i].node_id;
      node.agent_name = workflow.nodes[i].name;
      result_.nodes.push_back(std::move(node));
      if (waiting_for_[i] == 0) ready_.push_back(i);
    }
  }

  GraphWorkflowResult execute(const std::string& input, const std::string& session_id) {
    input_ = input;
    result_.workflow_name = workflow_.name;
    result_.session_id = session_id;
    std::vector<std::thread> threads;
    {
      std::unique_lock lock(mutex_);
      while (true) {
        if (!stopped()) {
          for (const std::size_t node : ready_) {
            ++running_;
            GraphNodeResult& slot = result_.nodes[node];
            slot.state = GraphNodeResult::State::kRunning;
            slot.started_ms = elapsed_ms();
            threads.emplace_back([this, node, started = slot] { run(node, started); });
          }
        }
        ready_.clear();
        if (running_ == 0) break;
        changed_.wait(lock, [this] { return running_ == 0 || (!ready_.empty() && !stopped()); });
      }
    }
    for (auto& thread : threads) thread.join();
    if (failure_) rethrow_failure();
    finish();
    return std::move(result_);
  }

 private:
  bool stopped() const { return failure_ != nullptr || !result_.stopped_at.empty(); }

  double elapsed_ms() const { return std::chrono::duration<double, std::milli>(Clock::now() - started_).count(); }

  // A start node gets the workflow's input; any other node its predecessors' answers as
  // one JSON object keyed by node id, in the order the edges name them.
  std::string input_of(std::size_t node) const {
    if (predecessors_[node].empty()) return input_;
    nlohmann::ordered_json joined = nlohmann::ordered_json::object();
    for (const std::size_t before : predecessors_[node]) {
      joined[workflow_.nodes[before].node_id] = result_.nodes[before].agent->final_text;
    }
    return joined.dump();
  }

  void run(std::size_t node, GraphNodeResult started) {
    if (observer_) observer_->on_node(workflow_.name, started);
    std::string input;
    {
      std::lock_guard lock(mutex_);  // the predecessors' results were written under it
      input = input_of(node);
    }
    std::optional<AgentResult> agent;
    std::exception_ptr error;
    try {
      std::optional<NodeObserver> forward;
      if (observer_) forward.emplace(*observer_);
      agent = run_node_(workflow_.nodes[node].name, input, forward ? &*forward : nullptr);
    } catch (...) {
      error = std::current_exception();
    }
    GraphNodeResult done;
    {
      std::lock_guard lock(mutex_);
      GraphNodeResult& slot = result_.nodes[node];
      slot.finished_ms = elapsed_ms();
      if (error) {
        if (!failure_) {
          failure_ = error;
          failed_node_ = node;
        }
      } else {
        slot.state = GraphNodeResult::State::kDone;
        slot.agent = std::move(agent);
        if (slot.agent->status != RunStatus::kCompleted && result_.stopped_at.empty()) {
          result_.stopped_at = slot.node_id;
          result_.status = slot.agent->status;
        }
      }
      done = slot;
    }
    // Said before any successor starts, so a node's end always comes before what follows it.
    if (observer_ && !error) observer_->on_node(workflow_.name, done);
    {
      std::lock_guard lock(mutex_);
      if (!error) {
        for (const std::size_t next : successors_[node]) {
          if (--waiting_for_[next] == 0) ready_.push_back(next);
        }
      }
      --running_;
    }
    changed_.notify_all();
  }

  [[noreturn]] void rethrow_failure() const {
    const config::GraphNode& node = workflow_.nodes[failed_node_];
    const std::string where =
        fmt::format("graph workflow '{}': node '{}' (agent '{}') failed", workflow_.name, node.node_id, node.name);
    try {
      std::rethrow_exception(failure_);
    } catch (const Error& error) {
      throw Error(error.code(), where + ": " + error.what());
    } catch (const std::exception& error) {
      throw Error(ErrorCode::kInternal, where + ": " + error.what());
    }
  }

  // The outputs of the nodes nothing follows; stopped early, those that ran.
  void finish() {
    for (std::size_t i = 0; i < result_.nodes.size(); ++i) {
      const auto& node = result_.nodes[i];
      if (successors_[i].empty() && node.agent) result_.final_output[node.node_id] = node.agent->final_text;
    }
    if (!result_.stopped_at.empty()) {
      for (const auto& node : result_.nodes) {
        if (node.node_id == result_.stopped_at) result_.final_text = node.agent->final_text;
      }
    } else if (result_.final_output.size() == 1) {
      result_.final_text = result_.final_output.begin()->get<std::string>();
    } else {
      result_.final_text = result_.final_output.dump();
    }
    result_.total_ms = elapsed_ms();
  }

  const config::GraphWorkflowConfig& workflow_;
  const RunNode& run_node_;
  RunObserver* observer_;
  const Clock::time_point started_;
  std::string input_;
  std::vector<std::vector<std::size_t>> predecessors_;
  std::vector<std::vector<std::size_t>> successors_;

  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  std::vector<std::size_t> waiting_for_;  // predecessors not yet done, per node
  std::vector<std::size_t> ready_;
  std::size_t running_ = 0;
  std::exception_ptr failure_;
  std::size_t failed_node_ = 0;
  GraphWorkflowResult result_;
};

}  // namespace

GraphWorkflowResult run_graph(const config::GraphWorkflowConfig& workflow, const std::string& input,
                              const std::string& session_id, const RunNode& run_node, RunObserver* observer) {
  return GraphRun(workflow, run_node, observer).execute(input, session_id);
}

}  // namespace aurite::execution
