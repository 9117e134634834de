// POST /runs {name, message, session_id?, on_busy?}: runs an agent, simple workflow or custom
// workflow by name and answers its result object; with `Accept: text/event-stream` each
// step is streamed as a Server-Sent Event (model_call, text, tool_call, tool_progress,
// tool_result; the tool events carry the tool_use `id` and the tool's name) and
// the stream ends with `done` (the result object) or `error` (the error body). A run whose
// gated tool calls wait for decisions answers status "awaiting_approval" with
// `pending_approvals` (streamed: an `approval_required` event for each, then `done`).
// `on_busy` ("wait", the default, or "reject") says what a run does when another run holds
// its session; a refused run is 409 session_busy (an `error` event when streamed).
// A streamed run whose MCP server asks for input during a call sends
// `elicitation_required` {run_id, id, ...}; POST /runs/{run_id}/elicitations/{id}
// {"action", "content"?} answers it (404 when it no longer waits, 400 for an answer that
// does not fit its schema); no answer within the client's timeout is a decline.
#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "api/run_answer.hpp"
#include "aurite/common/error.hpp"
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
  RunRequest run{string_field("name", true), string_field("message", true), string_field("session_id", false), {}};
  // An agent's gated call waits in the database for POST /approvals/{id}, when there is one.
  run.options.may_pause = true;
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

}  // namespace

void add_run_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "POST", "/runs", ([&context](const httplib::Request& request, httplib::Response& response) {
                RunRequest run = parse_run_request(request);
                context.host.require_runnable(run.name);
                answer_run(context, request, response, [&context, run](execution::RunObserver* observer) {
                  return context.host.execution().run(run.name, run.message, run.session_id, observer, run.options);
                });
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
