#include "execution/tool_calls.hpp"

#include <algorithm>
#include <future>
#include <mutex>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/execution/tool_approval.hpp"
#include "aurite/llm/message.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"
#include "execution/result_cut.hpp"

namespace aurite::execution::detail {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

Json convert_block(const Json& block) {
  const std::string type = block.value("type", "");
  if (type == "text") return llm::text_block(block.value("text", ""));
  if (type == "image") {
    return {{"type", "image"},
            {"source", {{"type", "base64"}, {"media_type", block.value("mimeType", "image/png")}, {"data", block.value("data", "")}}}};
  }
  if (type == "resource") {
    const Json resource = block.value("resource", Json::object());
    if (resource.contains("text")) return llm::text_block(resource["text"].get<std::string>());
    return llm::text_block("[binary resource " + resource.value("uri", "") + " (" + resource.value("mimeType", "") + ")]");
  }
  if (type == "resource_link") return llm::text_block("[resource " + block.value("uri", "") + "] " + block.value("name", ""));
  if (type == "audio") return llm::text_block("[audio " + block.value("mimeType", "") + "]");
  return llm::text_block(block.dump());
}

// The stricter of the agent's and the tool's client's max_result_chars; the default
// when neither sets one.
std::int64_t result_char_limit(mcp::McpHost& host, const config::AgentConfig& agent,
                               const std::optional<mcp::ToolInfo>& tool) {
  std::optional<std::int64_t> limit = agent.max_result_chars;
  if (tool) {
    const auto client = host.client_config(tool->client_id);
    if (client && client->max_result_chars) {
      limit = limit ? std::min(*limit, *client->max_result_chars) : *client->max_result_chars;
    }
  }
  return limit.value_or(config::kDefaultMaxResultChars);
}

ToolCallOutcome run_one(mcp::McpHost& host, const config::AgentConfig& agent, const ToolCallRequest& call,
                        const mcp::ProgressCallback& on_progress, const mcp::Elicitor& elicitor, Cancellation* cancel) {
  ToolCallOutcome outcome;
  outcome.record.id = call.id;
  outcome.record.name = call.name;
  outcome.record.input = call.input;
  const auto tool = host.find_tool(call.name, &agent);
  if (tool) outcome.record.client_id = tool->client_id;
  const auto started = Clock::now();
  mcp::ToolResult result;
  try {
    if (cancel != nullptr && cancel->cancelled()) throw Error(ErrorCode::kCancelled, "not run: the run was cancelled");
    result = host.call_tool(call.name, call.input, &agent, on_progress, elicitor, cancel);
  } catch (const Error& error) {  // kNotFound: a tool the agent does not have
    result = mcp::ToolResult::from_error(error);
  }
  outcome.record.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  outcome.record.is_error = result.is_error;
  telemetry::record_tool_call(outcome.record.client_id, call.name, !result.is_error, outcome.record.duration_ms / 1000);
  const std::int64_t limit = result_char_limit(host, agent, tool);
  outcome.record.result_text = cut_result_text(result.text(), limit);
  Json content = tool_result_content(result.content, result.structured_content);
  cut_result_content(content, limit);
  outcome.result_block = llm::tool_result_block(outcome.record.id, std::move(content), result.is_error);
  return outcome;
}

// Why `name` waits for approval when `agent` calls it; nullopt when it does not (a tool
// nobody offers is not gated: its call fails as unknown).
std::optional<ApprovalRequest> approval_needed(mcp::McpHost& host, const config::AgentConfig& agent,
                                               const ToolCallRequest& call) {
  const auto tool = host.find_tool(call.name, &agent);
  if (!tool) return std::nullopt;
  std::string why;
  const auto client = host.client_config(tool->client_id);
  if (client && client->require_approval && requires_approval(*client->require_approval, *tool)) {
    why = "client '" + tool->client_id + "' requires approval of " + call.name;
  } else if (agent.require_approval && requires_approval(*agent.require_approval, *tool)) {
    why = "agent '" + agent.name + "' requires approval of " + call.name;
  } else {
    return std::nullopt;
  }
  return ApprovalRequest{agent.name, call.id, call.name, tool->client_id, call.input, std::move(why)};
}

}  // namespace

Json tool_result_content(const Json& mcp_content, const std::optional<Json>& structured) {
  Json content = Json::array();
  if (mcp_content.is_array()) {
    for (const auto& block : mcp_content) content.push_back(convert_block(block));
  }
  if (content.empty() && structured) content.push_back(llm::text_block(structured->dump()));
  return content;
}

void answer_unanswered_tool_calls(std::vector<llm::Message>& messages) {
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role != "assistant") continue;
    const auto uses = llm::tool_uses_of(messages[i]);
    if (uses.empty()) continue;
    if (i + 1 == messages.size() || !llm::is_tool_result_message(messages[i + 1])) {
      messages.insert(messages.begin() + static_cast<std::ptrdiff_t>(i + 1), llm::Message{"user", Json::array()});
    }
    Json& results = messages[i + 1].content;
    for (const auto& use : uses) {
      const std::string id = use.value("id", "");
      const bool answered = std::any_of(results.begin(), results.end(), [&](const Json& block) {
        return block.value("type", "") == "tool_result" && block.value("tool_use_id", "") == id;
      });
      if (answered) continue;
      results.push_back(llm::tool_result_block(
          id,
          Json::array({llm::text_block("no result: the run that called '" + use.value("name", "") +
                                       "' stopped, or is still running, before its result was stored")}),
          /*is_error=*/true));
    }
  }
}

ToolCallOutcome unrun_call(const ToolCallRequest& call, const std::string& why) {
  ToolCallOutcome outcome;
  outcome.record.id = call.id;
  outcome.record.name = call.name;
  outcome.record.input = call.input;
  outcome.record.is_error = true;
  outcome.record.result_text = why;
  outcome.result_block = llm::tool_result_block(call.id, Json::array({llm::text_block(why)}), /*is_error=*/true);
  return outcome;
}

ToolCallOutcome denied_call(const ToolCallRequest& call, const std::string& reason) {
  return unrun_call(call, "denied by the user" + (reason.empty() ? std::string() : ": " + reason));
}

bool TurnCalls::any_waiting() const {
  return std::any_of(waiting.begin(), waiting.end(), [](const auto& call) { return call.has_value(); });
}

TurnCalls decide_tool_calls(mcp::McpHost& host, const config::AgentConfig& agent, const std::vector<Json>& tool_uses,
                            RunObserver* observer, bool may_wait, const std::string& why_no_wait) {
  // Every gated call of the turn is decided before any call runs: a run that cannot ask
  // stops having run nothing of this turn, and the model never sees half a turn's results.
  TurnCalls calls(tool_uses.size());
  for (std::size_t i = 0; i < tool_uses.size(); ++i) {
    const Json& use = tool_uses[i];
    calls.requests.push_back({use.value("id", ""), use.value("name", ""), use.value("input", Json::object())});
    auto needed = approval_needed(host, agent, calls.requests.back());
    if (!needed) continue;
    const auto decision = observer ? observer->decide_approval(*needed) : std::nullopt;
    if (!decision) {
      if (!may_wait) {
        throw Error(ErrorCode::kApprovalRequired,
                    fmt::format("agent '{}' called {} {}, which waits for a person's approval ({}), and this run "
                                "cannot ask for it: {}",
                                agent.name, needed->tool, needed->arguments.dump(), needed->why, why_no_wait));
      }
      calls.waiting[i] = std::move(*needed);
    } else if (!decision->approved) {
      calls.outcomes[i] = denied_call(calls.requests.back(), decision->reason);
      calls.decided_here[i] = true;
    } else if (decision->arguments) {
      calls.requests.back().input = *decision->arguments;
    }
  }
  // Denials are reported once every call is decided, like the results of calls that ran.
  for (std::size_t i = 0; i < calls.outcomes.size(); ++i) {
    if (observer && calls.outcomes[i]) observer->on_tool_result(agent.name, calls.outcomes[i]->record);
  }
  return calls;
}

void run_open_calls(mcp::McpHost& host, const config::AgentConfig& agent, TurnCalls& calls, RunObserver* observer,
                    Cancellation* cancel) {
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < calls.requests.size(); ++i) {
    if (!calls.outcomes[i] && !calls.waiting[i]) open.push_back(i);
  }
  std::mutex observer_mutex;
  const auto call = [&](std::size_t index) {
    const ToolCallRequest& request = calls.requests[index];
    mcp::ProgressCallback on_progress;
    mcp::Elicitor elicitor;
    if (observer) {
      elicitor = [observer, &agent](const mcp::ElicitationRequest& asked) {
        return observer->answer_elicitation(agent.name, asked);
      };
      std::lock_guard lock(observer_mutex);
      observer->on_tool_call(agent.name, request);
      on_progress = [&observer_mutex, observer, &agent, &request](const mcp::Progress& progress) {
        std::lock_guard progress_lock(observer_mutex);
        observer->on_tool_progress(agent.name,
                                   {request.id, request.name, progress.progress, progress.total, progress.message});
      };
    }
    ToolCallOutcome outcome = run_one(host, agent, request, on_progress, elicitor, cancel);
    if (observer) {
      std::lock_guard lock(observer_mutex);
      observer->on_tool_result(agent.name, outcome.record);
    }
    return outcome;
  };
  if (open.size() == 1) {
    calls.outcomes[open[0]] = call(open[0]);
  } else {
    std::vector<std::future<ToolCallOutcome>> running;
    running.reserve(open.size());
    for (const std::size_t index : open) running.push_back(std::async(std::launch::async, call, index));
    for (std::size_t i = 0; i < open.size(); ++i) calls.outcomes[open[i]] = running[i].get();
  }
  for (const std::size_t index : open) calls.decided_here[index] = true;
}

}  // namespace aurite::execution::detail
