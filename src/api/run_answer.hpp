// Answering a request that runs something (POST /runs, POST /approvals/{id}): the result
// object as JSON, or with `Accept: text/event-stream` each step as a Server-Sent Event
// and the stream ended by `done` (the result) or `error` (the error body). Either way the
// run counts as in flight, and a shutdown waits for it.
#pragma once

#include <functional>

#include "api/api_context.hpp"
#include "aurite/execution/run_result.hpp"

namespace aurite::api::detail {

// Runs the request's run, reporting its steps to the observer it is given (null when
// not streaming), and returns the result object.
using RunCall = std::function<Json(execution::RunObserver* observer)>;

void answer_run(ApiContext& context, const httplib::Request& request, httplib::Response& response, RunCall run);

}  // namespace aurite::api::detail
