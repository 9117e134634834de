#include "api/run_answer.hpp"

#include <fmt/format.h>

#include <memory>

#include "api/http_error.hpp"
#include "aurite/secrets/encoding.hpp"

namespace aurite::api::detail {
namespace {

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
  SseObserver(httplib::DataSink& sink, ApiContext& context)
      : sink_(sink), context_(context), run_id_("run_" + secrets::to_hex(secrets::random_bytes(8))) {
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
  // The question goes to the client as an event; its answer comes back through
  // POST /runs/{run_id}/elicitations/{id}.
  std::optional<Json> answer_elicitation(const std::string& agent, const mcp::ElicitationRequest& request) override {
    const std::string id = "eli_" + secrets::to_hex(secrets::random_bytes(6));
    return context_.elicitations.wait(run_id_, id, request, [&] {
      Json data = {{"run_id", run_id_},
                   {"id", id},
                   {"agent", agent},
                   {"client_id", request.client_id},
                   {"tool", request.tool},
                   {"mode", request.url_mode() ? "url" : "form"},
                   {"message", request.message()},
                   {"timeout_ms", request.timeout.count()}};
      if (request.url_mode()) {
        data["url"] = request.params.value("url", "");
      } else {
        data["requested_schema"] = request.requested_schema();
      }
      send("elicitation_required", data);
    });
  }
  void on_approval_required(const std::string& agent, const execution::PendingApproval& approval) override {
    Json data = execution::to_json(approval);
    data["agent"] = agent;
    send("approval_required", data);
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
  const std::string run_id_;  // names the stream's questions (elicitations)
  std::mutex mutex_;
  bool open_ = true;  // guarded by mutex_
};

bool wants_event_stream(const httplib::Request& request) {
  return request.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

}  // namespace

void answer_run(ApiContext& context, const httplib::Request& request, httplib::Response& response, RunCall run) {
  if (!wants_event_stream(request)) {
    RunInFlight in_flight(context);
    send_json(response, 200, run(nullptr));
    return;
  }
  // Counted from now, so a shutdown that begins before the stream starts still waits for
  // it; the releaser runs whether or not it streamed.
  auto in_flight = std::make_shared<std::unique_ptr<RunInFlight>>(std::make_unique<RunInFlight>(context));
  auto accepted = std::make_shared<std::unique_ptr<AcceptedStream>>(std::make_unique<AcceptedStream>(context));
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      "text/event-stream",
      [&context, run = std::move(run), in_flight, accepted](std::size_t, httplib::DataSink& sink) {
        SseObserver observer(sink, context);
        accepted->reset();  // registered as open: a shutdown now ends it with an event
        try {
          observer.send("done", run(&observer));
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
}

}  // namespace aurite::api::detail
