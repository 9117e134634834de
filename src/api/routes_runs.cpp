// POST /runs {name, message, session_id?}: runs an agent, simple workflow or custom
// workflow by name and answers its result object; with `Accept: text/event-stream` each
// step is streamed as a Server-Sent Event (model_call, text, tool_call, tool_progress,
// tool_result; the tool events carry the tool_use `id` and the tool's name) and
// the stream ends with `done` (the result object) or `error` (the error body).
#include <fmt/format.h>

#include <memory>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"
#include "aurite/config/names.hpp"
#include "aurite/execution/run_result.hpp"

namespace aurite::api::detail {
namespace {

struct RunRequest {
  std::string name;
  std::string message;
  std::string session_id;
};

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
  RunRequest run{string_field("name", true), string_field("message", true), string_field("session_id", false)};
  for (const auto& [key, value] : {std::pair{"name", &run.name}, std::pair{"session_id", &run.session_id}}) {
    if (const std::string problem = config::name_problem(*value); !problem.empty()) problems.push_back({key, problem});
  }
  if (!problems.empty()) throw ConfigError("request body", std::move(problems));
  return run;
}

// Counts the run as in flight for as long as it lives.
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
class SseObserver : public execution::RunObserver {
 public:
  explicit SseObserver(httplib::DataSink& sink) : sink_(sink) {}

  void send(const std::string& event, const Json& data) {
    std::lock_guard lock(mutex_);
    if (!open_) return;
    const std::string frame = fmt::format("event: {}\ndata: {}\n\n", event, dump_for_client(data));
    open_ = sink_.write(frame.data(), frame.size());
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
  void on_tool_result(const std::string& agent, const execution::ToolCallRecord& record) override {
    send("tool_result", {{"agent", agent},
                         {"id", record.id},
                         {"tool", record.name},
                         {"result", record.result_text},
                         {"is_error", record.is_error},
                         {"duration_ms", record.duration_ms}});
  }

 private:
  httplib::DataSink& sink_;
  std::mutex mutex_;
  bool open_ = true;
};

bool wants_event_stream(const httplib::Request& request) {
  return request.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

void require_runnable(const host::HostManager& host, const std::string& name) {
  if (host.find_agent(name) || host.find_workflow(name) || host.find_custom_workflow(name)) return;
  throw Error(ErrorCode::kNotFound, fmt::format("no agent, workflow or custom workflow named '{}'", name));
}

}  // namespace

void add_run_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "POST", "/runs", ([&context](const httplib::Request& request, httplib::Response& response) {
                RunRequest run = parse_run_request(request);
                require_runnable(context.host, run.name);
                if (!wants_event_stream(request)) {
                  RunInFlight in_flight(context);
                  send_json(response, 200, context.host.execution().run(run.name, run.message, run.session_id));
                  return;
                }
                // Counted from now, so a shutdown that begins before the stream starts
                // still waits for it; the releaser runs whether or not it streamed.
                auto in_flight = std::make_shared<std::unique_ptr<RunInFlight>>(std::make_unique<RunInFlight>(context));
                response.set_header("Cache-Control", "no-store");
                response.set_chunked_content_provider(
                    "text/event-stream",
                    [&context, run, in_flight](std::size_t, httplib::DataSink& sink) {
                      SseObserver observer(sink);
                      try {
                        observer.send("done", context.host.execution().run(run.name, run.message, run.session_id, &observer));
                      } catch (const std::exception& error) {
                        observer.send("error", error_body(to_http_error(error)));
                      }
                      in_flight->reset();
                      sink.done();
                      return true;
                    },
                    [in_flight](bool) { in_flight->reset(); });
              }));
}

}  // namespace aurite::api::detail
