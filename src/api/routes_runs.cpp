// Runs as resources.
//
// POST /runs {name, message, session_id?, on_busy?, background?, cancel_on_disconnect?}
// runs an agent, simple, graph or custom workflow by name. It answers the result object
// (with its `run_id`), or with `Accept: text/event-stream` each event of the run as a
// Server-Sent Event whose `id:` is its seq: `run` first (the run's id), then
// model_call, text, tool_call, tool_progress, tool_result, step, node,
// approval_required, elicitation_required, and `done` (the result) or `error` last.
// `"background": true` answers 202 with the queued run at once; the run goes on here.
// A client that disconnects from a stream does not stop the run, unless it asked to
// (`"cancel_on_disconnect": true`).
// GET /runs (name, session, status, limit, cursor; newest first), GET /runs/{id},
// DELETE /runs/{id} (cancels it, wherever it runs), GET /runs/{id}/events (the stored
// events from the start or after Last-Event-ID / ?after=, then live until the run is
// no longer running).
// A streamed run whose MCP server asks for input during a call sends
// `elicitation_required` {run_id, id, ...}; POST /runs/{run_id}/elicitations/{id}
// {"action", "content"?} answers it (404 when it no longer waits, 400 for an answer that
// does not fit its schema); no answer within the client's timeout is a decline.
#include <limits>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "api/run_answer.hpp"
#include "aurite/common/error.hpp"
#include "aurite/config/names.hpp"
#include "aurite/execution/run_result.hpp"

namespace aurite::api::detail {
namespace {

constexpr long long kMaxRunsPage = 500;
constexpr long long kDefaultRunsPage = 50;
// How long an events stream waits for the next event before it looks again (and
// writes a comment, so proxies and clients see the connection is alive).
constexpr std::chrono::seconds kEventsKeepAlive{15};

struct RunRequest {
  host::RunSpec spec;
  bool background = false;
  bool cancel_on_disconnect = false;
};

// Every field of a POST /runs body; anything else is refused (a misspelt session_id
// would otherwise run on the default session).
const std::vector<std::string> kRunFields = {"name",       "message", "session_id", "on_busy",
                                             "background", "cancel_on_disconnect"};

// An answer to a server's elicitation: the elicitation/create result.
const std::vector<std::string> kElicitationFields = {"action", "content"};

RunRequest parse_run_request(const httplib::Request& request) {
  std::vector<Diagnostic> problems;
  const Json body = parse_object_body(request, kRunFields, problems);
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
  auto bool_field = [&](const char* key) {
    if (!body.contains(key) || body[key].is_null()) return false;
    if (!body[key].is_boolean()) {
      problems.push_back({key, "expected true or false"});
      return false;
    }
    return body[key].get<bool>();
  };
  RunRequest run;
  run.spec.name = string_field("name", true);
  run.spec.message = string_field("message", true);
  run.spec.session_id = string_field("session_id", false);
  run.background = bool_field("background");
  run.cancel_on_disconnect = bool_field("cancel_on_disconnect");
  // An agent's gated call waits in the database for POST /approvals/{id}, when there is one.
  run.spec.options.may_pause = true;
  if (const std::string on_busy = string_field("on_busy", false); !on_busy.empty()) {
    if (const auto parsed = execution::parse_on_busy(on_busy)) {
      run.spec.options.on_busy = *parsed;
    } else {
      problems.push_back({"on_busy", "expected \"wait\" or \"reject\""});
    }
  }
  for (const auto& [key, value] : {std::pair{"name", &run.spec.name}, std::pair{"session_id", &run.spec.session_id}}) {
    if (const std::string problem = config::name_problem(*value); !problem.empty()) problems.push_back({key, problem});
  }
  if (run.background && run.cancel_on_disconnect) {
    problems.push_back({"cancel_on_disconnect", "a background run has no connection to lose"});
  }
  if (!problems.empty()) throw ConfigError("request body", std::move(problems));
  return run;
}

// Where an events stream begins: Last-Event-ID (a reconnecting EventSource) wins over ?after=.
std::int64_t events_after(const httplib::Request& request) {
  if (request.has_header("Last-Event-ID")) {
    const std::string text = request.get_header_value("Last-Event-ID");
    std::size_t used = 0;
    long long seq = -1;
    try {
      seq = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || seq < 0) {
      throw Error(ErrorCode::kInvalidArgument, "header 'Last-Event-ID': expected an event id of this run, not '" + text + "'");
    }
    return seq;
  }
  return int_param(request, "after", 0, std::numeric_limits<std::int64_t>::max()).value_or(0);
}

void stream_events(ApiContext& context, httplib::Response& response, const std::string& id, std::int64_t after) {
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      "text/event-stream", [&context, id, after](std::size_t, httplib::DataSink& sink) mutable {
        host::Runs& runs = context.host.runs();
        while (true) {
          const auto events = runs.wait_for_events(id, after, std::chrono::steady_clock::now() + kEventsKeepAlive);
          for (const auto& event : events) {
            const std::string frame = sse_frame(event);
            if (!sink.write(frame.data(), frame.size())) return false;
            after = event.seq;
          }
          if (!events.empty()) continue;
          const auto record = runs.find(id);
          if (!record || !host::Runs::still_running(*record)) break;
          const std::string alive = ": waiting for the run\n\n";
          if (!sink.write(alive.data(), alive.size())) return false;
        }
        sink.done();
        return true;
      });
}

}  // namespace

void add_run_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "POST", "/runs", ([&context](const httplib::Request& request, httplib::Response& response) {
                RunRequest run = parse_run_request(request);
                context.host.require_runnable(run.spec.name);
                host::Runs& runs = context.host.runs();
                if (run.background) {
                  run.spec.id = runs.queue(run.spec);
                  run.spec.queued = true;
                  run.spec.stream_text = true;
                  context.run_in_background(run.spec.id, [&runs, spec = run.spec] { runs.run(spec); });
                  send_json(response, 202,
                            {{"run_id", run.spec.id},
                             {"status", "queued"},
                             {"links", {{"run", "/runs/" + run.spec.id}, {"events", "/runs/" + run.spec.id + "/events"}}}});
                  return;
                }
                answer_run(
                    context, request, response,
                    [&runs, spec = run.spec](host::RunParticipant* asker, const host::RunEventSink& sink) {
                      return runs.run(spec, asker, sink);
                    },
                    {run.cancel_on_disconnect});
              }));

  add_route(server, context, "GET", "/runs", ([&context](const httplib::Request& request, httplib::Response& response) {
               storage::RunQuery query;
               query.name = text_param(request, "name");
               if (!query.name) query.name = text_param(request, "agent");
               query.session_id = text_param(request, "session");
               query.status = text_param(request, "status");
               if (query.status && !storage::is_run_status(*query.status)) {
                 throw Error(ErrorCode::kInvalidArgument,
                             "query parameter 'status': expected queued, running, awaiting_approval, completed, failed, "
                             "cancelled or interrupted, not '" + *query.status + "'");
               }
               query.cursor = text_param(request, "cursor");
               query.limit = static_cast<std::size_t>(int_param(request, "limit", 1, kMaxRunsPage).value_or(kDefaultRunsPage));
               const storage::RunPage page = context.host.runs().list(query);
               Json runs = Json::array();
               for (const auto& record : page.runs) runs.push_back(host::to_json(record));
               send_json(response, 200, {{"runs", runs}, {"next_cursor", page.next_cursor ? Json(*page.next_cursor) : Json(nullptr)}});
             }));

  add_route(server, context, "GET", "/runs/{id}", ([&context](const httplib::Request& request, httplib::Response& response) {
               send_json(response, 200, host::to_json(context.host.runs().get(path_param(request))));
             }));

  add_route(server, context, "DELETE", "/runs/{id}",
            ([&context](const httplib::Request& request, httplib::Response& response) {
               const auto cancelled =
                   context.host.runs().cancel(path_param(request), "api client " + request.remote_addr);
               // 202: a run of another process hears of it with that process's next beat
               // (which may come before this answer is sent).
               send_json(response, cancelled.asked ? 202 : 200, host::to_json(cancelled.run));
             }));

  add_route(server, context, "GET", "/runs/{id}/events",
            ([&context](const httplib::Request& request, httplib::Response& response) {
               const std::string id = path_param(request);
               context.host.runs().get(id);
               stream_events(context, response, id, events_after(request));
             }));

  // The client of a streamed run answers here what its MCP servers ask (`aurite serve`
  // lets them ask); a run answered as one JSON object has nobody to ask, and declines.
  add_route(server, context, "POST", "/runs/{run_id}/elicitations/{id}",
            ([&context](const httplib::Request& request, httplib::Response& response) {
               std::vector<Diagnostic> problems;
               const Json body = parse_object_body(request, kElicitationFields, problems);
               if (!body.contains("action")) problems.push_back({"action", "required field is missing"});
               if (!problems.empty()) throw ConfigError("request body", std::move(problems));
               context.elicitations.answer(path_param(request, 1), path_param(request, 2), body);
               send_json(response, 200, {{"status", "answered"}});
             }));
}

}  // namespace aurite::api::detail
