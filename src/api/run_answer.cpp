#include "api/run_answer.hpp"

#include <fmt/format.h>

#include <memory>

#include "api/http_error.hpp"
#include "aurite/secrets/encoding.hpp"

namespace aurite::api::detail {
namespace {

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

// An event that is not one of the run's (it has no seq to resume from).
std::string unnumbered_frame(const std::string& event, const Json& data) {
  return fmt::format("event: {}\ndata: {}\n\n", event, dump_for_client(data));
}

// Writes the run's events as they are recorded. Tool callbacks may come from other
// threads, so writes are serialised. A client that went away stops the writing (and the
// run, when it asked for that); the run's events are stored all the same.
// Registered as an open stream for its lifetime, so a shutdown can end it.
class SseWriter : public OpenStream {
 public:
  SseWriter(httplib::DataSink& sink, ApiContext& context, StreamChoice choice)
      : sink_(sink), context_(context), choice_(std::move(choice)) {
    context_.stream_opened(this);
  }
  ~SseWriter() override { context_.stream_closed(this); }
  SseWriter(const SseWriter&) = delete;
  SseWriter& operator=(const SseWriter&) = delete;

  void write(const storage::RunEvent& event, const std::string& run_id) {
    std::lock_guard lock(mutex_);
    run_id_ = run_id;
    write_locked(sse_frame(event));
  }

  // Only for what happens outside a recorded run (a request refused before it starts).
  void write_unrecorded(const std::string& event, const Json& data) {
    std::lock_guard lock(mutex_);
    write_locked(unnumbered_frame(event, data));
  }

  void end_with(const std::string& event, const Json& data) override {
    std::lock_guard lock(mutex_);
    write_locked(unnumbered_frame(event, data));
    open_ = false;
  }

  bool wrote_any() const {
    std::lock_guard lock(mutex_);
    return wrote_any_;
  }

 private:
  void write_locked(const std::string& frame) {
    if (!open_) return;
    open_ = sink_.write(frame.data(), frame.size());
    wrote_any_ = true;
    if (!open_ && choice_.cancel_on_disconnect && !run_id_.empty()) context_.host.runs().cancel_here(run_id_);
  }

  httplib::DataSink& sink_;
  ApiContext& context_;
  const StreamChoice choice_;
  mutable std::mutex mutex_;
  bool open_ = true;  // guarded by mutex_
  bool wrote_any_ = false;
  std::string run_id_;
};

// Puts what MCP servers ask during the run to the stream's client; the answer comes back
// through POST /runs/{run_id}/elicitations/{id}.
class StreamAsker : public host::RunParticipant {
 public:
  explicit StreamAsker(ApiContext& context) : context_(context) {}

  // Learnt from the run's first event, before anything can be asked.
  void set_run_id(std::string run_id) { run_id_ = std::move(run_id); }

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
      emit("elicitation_required", data);
    });
  }

 private:
  ApiContext& context_;
  std::string run_id_;
};

// The run an event stream is of: its first event (`run`, or `resumed` for a run an
// approval continues) names it.
std::optional<std::string> run_named_by(const storage::RunEvent& event) {
  if (event.event != "run" && event.event != "resumed") return std::nullopt;
  return Json::parse(event.data_json, nullptr, false).value("run_id", "");
}

}  // namespace

bool wants_event_stream(const httplib::Request& request) {
  return request.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

std::string sse_frame(const storage::RunEvent& event) {
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", event.seq, event.event, event.data_json);
}

void answer_run(ApiContext& context, const httplib::Request& request, httplib::Response& response, RunCall run,
                StreamChoice choice) {
  if (!wants_event_stream(request)) {
    RunInFlight in_flight(context);
    send_json(response, 200, run(nullptr, {}));
    return;
  }
  // Counted from now, so a shutdown that begins before the stream starts still waits for
  // it; the releaser runs whether or not it streamed.
  auto in_flight = std::make_shared<std::unique_ptr<RunInFlight>>(std::make_unique<RunInFlight>(context));
  auto accepted = std::make_shared<std::unique_ptr<AcceptedStream>>(std::make_unique<AcceptedStream>(context));
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      "text/event-stream",
      [&context, run = std::move(run), choice, in_flight, accepted](std::size_t, httplib::DataSink& sink) {
        SseWriter writer(sink, context, choice);
        StreamAsker asker(context);
        std::string run_id;
        accepted->reset();  // registered as open: a shutdown now ends it with an event
        try {
          run(&asker, [&](const storage::RunEvent& event) {
            if (const auto named = run_named_by(event)) {
              run_id = *named;
              asker.set_run_id(run_id);
            }
            writer.write(event, run_id);
          });
        } catch (const std::exception& error) {
          // A run that began ended its stream with its own `error` event; one refused
          // before it began (busy session, unknown name) says so here.
          if (!writer.wrote_any()) writer.write_unrecorded("error", error_body(to_http_error(error)));
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
