// POST /runs {name, message, session_id?, on_busy?}: runs an agent, simple workflow or custom
// workflow by name and answers its result object; with `Accept: text/event-stream` each
// step is streamed as a Server-Sent Event (model_call, text, tool_call, tool_progress,
// tool_result; the tool events carry the tool_use `id` and the tool's name) and
// the stream ends with `done` (the result object) or `error` (the error body).
// `on_busy` ("wait", the default, or "reject") says what a run does when another run holds
// its session; a refused run is 409 session_busy (an `error` event when streamed).
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/config/names.hpp"
#include "aurite/execution/run_result.hpp"

namespace aurite::api::detail {
namespace {

struct RunRequest {
  std::string name;
  std::string message;
  std::string session_id;
  execution::RunOptions options;
};

// Every field of a POST /runs body; anything else is refused (a misspelt session_id
// would otherwise run on the default session).
const std::vector<std::string> kRunFields = {"name", "message", "session_id", "on_busy"};

RunRequest parse_run_request(const httplib::Request& request) {
  const Json body = parse_body(request);
  if (!body.is_object()) throw ConfigError("request body", {{"", "expected an object"}});
  std::vector<Diagnostic> problems;
  auto string_field = [&](const char* key, bool required) -> std::string {
    if (!body.contains(key) || body[key].is_null()) {
      if (required) problems.push_back({key, "required field is missing"});
      return "";
    }
    if (!body[key].is_string()) {
      problems.push_back({key, "expected a string"});
      return "";
    }
    return body[key].get<std::string>();
  };
  for (const auto& [key, value] : body.items()) {
    if (std::find(kRunFields.begin(), kRunFields.end(), key) != kRunFields.end()) continue;
    problems.push_back({key, "unknown field" + did_you_mean(key, kRunFields)});
  }
  RunRequest run{string_field("name", true), string_field("message", true), string_field("session_id", false), {}};
  if (const std::string on_busy = string_field("on_busy", false); !on_busy.empty()) {
    if (const auto parsed = execution::parse_on_busy(on_busy)) {
      run.options.on_busy = *parsed;
    } else {
      problems.push_back({"on_busy", "expected \"wait\" or \"reject\""});
    }
  }
  for (const auto& [key, value] : {std::pair{"name", &run.name}, std::pair{"session_id", &run.session_id}}) {
    if (const std::string problem = config::name_problem(*value); !problem.empty()) problems.push_back({key, problem});
  }
  if (!problems.empty()) throw ConfigError("request body", std::move(problems));
  return run;
}

// Counts the run as in flight for as long as it lives.
// A stream answered but not yet written (ApiContext::stream_accepted), until it begins
// or httplib drops it; either way once.
class AcceptedStream {
 public:
  explicit AcceptedStream(ApiContext& context) : context_(context) { context_.stream_accepted(); }
  ~AcceptedStream() { context_.stream_began_or_dropped(); }
  AcceptedStream(const AcceptedStream&) = delete;
  AcceptedStream& operator=(const AcceptedStream&) = delete;

 private:
  ApiContext& context_;
};

class RunInFlight {
 public:
  explicit RunInFlight(ApiContext& context) : context_(context) { context_.run_started(); }
  ~RunInFlight() { context_.run_finished(); }
  RunInFlight(const RunInFlight&) = delete;
  RunInFlight& operator=(const RunInFlight&) = delete;

 private:
  ApiContext& context_;
};

// Writes each step as `event: NAME\ndata: JSON\n\n`. Tool callbacks may come from other
// threads, so writes are serialised. A client that went away stops the writing, not the
// run: its turns are stored all the same.
// Registered as an open stream for its lifetime, so a shutdown can end it.
class SseObserver : public execution::RunObserver, public OpenStream {
 public:
  SseObserver(httplib::DataSink& sink, ApiContext& context) : sink_(sink), context_(context) {
    context_.stream_opened(this);
  }
  ~SseObserver() override { context_.stream_closed(this); }
  SseObserver(const SseObserver&) = delete;
  SseObserver& operator=(const SseObserver&) = delete;

  void send(const std::string& event, const Json& data) {
    std::lock_guard lock(mutex_);
    write(event, data);
  }

  void end_with(const std::string& event, const Json& data) override {
    std::lock_guard lock(mutex_);
    write(event, data);
    open_ = false;
  }

  void on_model_call(const std::string& agent, int iteration) override {
    send("model_call", {{"agent", agent}, {"iteration", iteration}});
  }
  void on_text_delta(const std::string& text) override { send("text", {{"text", text}}); }
  void on_tool_call(const std::string& agent, const execution::ToolCallRequest& call) override {
    send("tool_call", {{"agent", agent}, {"id", call.id}, {"tool", call.name}, {"input", call.input}});
  }
  void on_tool_progress(const std::string& agent, const execution::ToolProgress& progress) override {
    Json data = {{"agent", agent}, {"id", progress.id}, {"tool", progress.name}, {"progress", progress.progress}};
    if (progress.total) data["total"] = *progress.total;
    if (!progress.message.empty()) data["message"] = progress.message;
    send("tool_progress", data);
  }
  void on_node(const std::string& workflow, const execution::GraphNodeResult& node) override {
    Json data = {{"workflow", workflow}, {"node_id", node.node_id}, {"agent", node.agent_name}, {"status", node.status()},
                 {"started_ms", node.started_ms}};
    if (node.state == execution::GraphNodeResult::State::kDone) {
      data["finished_ms"] = node.finished_ms;
      data["final_text"] = node.agent ? node.agent->final_text : "";
    }
    send("node", data);
  }
  void on_tool_result(const std::string& agent, const execution::ToolCallRecord& record) override {
    send("tool_result", {{"agent", agent},
                         {"id", record.id},
                         {"tool", record.name},
                         {"result", record.result_text},
                         {"is_error", record.is_error},
                         {"duration_ms", record.duration_ms}});
  }

 private:
  void write(const std::string& event, const Json& data) {
    if (!open_) return;
    const std::string frame = fmt::format("event: {}\ndata: {}\n\n", event, dump_for_client(data));
    open_ = sink_.write(frame.data(), frame.size());
  }

  httplib::DataSink& sink_;
  ApiContext& context_;
  std::mutex mutex_;
  bool open_ = true;  // guarded by mutex_
};

bool wants_event_stream(const httplib::Request& request) {
  return request.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

}  // namespace

void add_run_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "POST", "/runs", ([&context](const httplib::Request& request, httplib::Response& response) {
                RunRequest run = parse_run_request(request);
                context.host.require_runnable(run.name);
                if (!wants_event_stream(request)) {
                  RunInFlight in_flight(context);
                  send_json(response, 200,
                            context.host.execution().run(run.name, run.message, run.session_id, nullptr, run.options));
                  return;
                }
                // Counted from now, so a shutdown that begins before the stream starts
                // still waits for it; the releaser runs whether or not it streamed.
                auto in_flight = std::make_shared<std::unique_ptr<RunInFlight>>(std::make_unique<RunInFlight>(context));
                auto accepted =
                    std::make_shared<std::unique_ptr<AcceptedStream>>(std::make_unique<AcceptedStream>(context));
                response.set_header("Cache-Control", "no-store");
                response.set_chunked_content_provider(
                    "text/event-stream",
                    [&context, run, in_flight, accepted](std::size_t, httplib::DataSink& sink) {
                      SseObserver observer(sink, context);
                      accepted->reset();  // registered as open: a shutdown now ends it with an event
                      try {
                        observer.send("done", context.host.execution().run(run.name, run.message, run.session_id,
                                                                          &observer, run.options));
                      } catch (const std::exception& error) {
                        observer.send("error", error_body(to_http_error(error)));
                      }
                      in_flight->reset();
                      sink.done();
                      return true;
                    },
                    [in_flight, accepted](bool) {
                      accepted->reset();
                      in_flight->reset();
                    });
              }));
}

}  // namespace aurite::api::detail
