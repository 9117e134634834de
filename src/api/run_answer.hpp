// Answering a request that runs something (POST /runs, POST /approvals/{id}): the result
// object as JSON, or with `Accept: text/event-stream` each recorded event of the run as
// a Server-Sent Event (`id:` its seq, so GET /runs/{id}/events can take up from there)
// and the stream ended by `done` (the result) or `error` (the error body). Either way
// the run counts as in flight, and a shutdown waits for it.
#pragma once

#include <functional>

#include "api/api_context.hpp"
#include "aurite/host/runs.hpp"

namespace aurite::api::detail {

// Runs the request's run, with `asker` behind it (null when not streaming: nobody can
// answer a server's question then) and `sink` seeing each event; returns the result object.
using RunCall = std::function<Json(host::RunParticipant* asker, const host::RunEventSink& sink)>;

struct StreamChoice {
  // The client going away cancels the run; otherwise the run goes on, stored as it goes.
  bool cancel_on_disconnect = false;
};

void answer_run(ApiContext& context, const httplib::Request& request, httplib::Response& response, RunCall run,
                StreamChoice choice = {});

// `id: SEQ`, `event: NAME`, `data: JSON` and the blank line ending the event.
std::string sse_frame(const storage::RunEvent& event);

bool wants_event_stream(const httplib::Request& request);

}  // namespace aurite::api::detail
