// Tool calls that wait for a person: GET /approvals (agent, session and status filters,
// newest first), POST /approvals/{id} {"decision": "approve" | "deny", "args"?, "reason"?}
// records the decision and, when it leaves none of its run's calls waiting, continues the
// run, answering as POST /runs does (JSON, or events by Accept). 409 already_decided for
// a second decision, 404 for an unknown id, 400 naming a bad field.
#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "api/run_answer.hpp"
#include "aurite/common/error.hpp"
#include "aurite/execution/tool_approval.hpp"

namespace aurite::api::detail {
namespace {

constexpr long long kMaxApprovals = 1000;
constexpr long long kDefaultApprovals = 100;

const std::vector<std::string> kDecisionFields = {"decision", "args", "reason"};

execution::ApprovalDecision parse_decision(const httplib::Request& request) {
  std::vector<Diagnostic> problems;
  const Json body = parse_object_body(request, kDecisionFields, problems);
  execution::ApprovalDecision decision;
  const Json choice = body.value("decision", Json(nullptr));
  if (choice.is_null()) {
    problems.push_back({"decision", "required field is missing"});
  } else if (choice != "approve" && choice != "deny") {
    problems.push_back({"decision", "expected \"approve\" or \"deny\""});
  } else {
    decision.approved = choice == "approve";
  }
  if (body.contains("args") && !body["args"].is_null()) {
    if (!body["args"].is_object()) {
      problems.push_back({"args", "expected an object (the arguments to run the call with)"});
    } else if (!decision.approved) {
      problems.push_back({"args", "only an approval runs the call with other arguments"});
    } else {
      decision.arguments = body["args"];
    }
  }
  if (body.contains("reason") && !body["reason"].is_null()) {
    if (!body["reason"].is_string()) {
      problems.push_back({"reason", "expected a string"});
    } else {
      decision.reason = body["reason"].get<std::string>();
    }
  }
  if (!problems.empty()) throw ConfigError("request body", std::move(problems));
  return decision;
}

storage::ApprovalStore& approvals_of(host::HostManager& host) {
  if (host.storage() == nullptr) {
    throw Error(ErrorCode::kUnavailable, "approvals are kept in the database, which is off (AURITE_ENABLE_DB=true)");
  }
  return *host.storage()->approvals();
}

}  // namespace

void add_approval_routes(httplib::Server& server, ApiContext& context) {
  host::HostManager& host = context.host;

  add_route(server, context, "GET", "/approvals", ([&host](const httplib::Request& request, httplib::Response& response) {
               storage::ApprovalQuery query;
               query.agent_name = text_param(request, "agent");
               query.session_id = text_param(request, "session");
               const std::string status = text_param(request, "status").value_or("pending");
               if (status != "pending" && status != "all") {
                 throw Error(ErrorCode::kInvalidArgument, "query parameter 'status': expected \"pending\" or \"all\"");
               }
               query.pending_only = status == "pending";
               query.limit = static_cast<std::size_t>(int_param(request, "limit", 1, kMaxApprovals).value_or(kDefaultApprovals));
               Json approvals = Json::array();
               for (const auto& record : approvals_of(host).list_approvals(query)) {
                 approvals.push_back(execution::to_json(record));
               }
               send_json(response, 200, {{"approvals", approvals}});
             }));

  add_route(server, context, "POST", "/approvals/{id}",
            ([&context](const httplib::Request& request, httplib::Response& response) {
               const std::string id = path_param(request, 1);
               const execution::ApprovalDecision decision = parse_decision(request);
               approvals_of(context.host);
               const std::string decided_by = "api client " + request.remote_addr;
               execution::RunOptions options;
               options.may_pause = true;
               answer_run(context, request, response,
                          [&context, id, decision, decided_by, options](host::RunParticipant* asker,
                                                                       const host::RunEventSink& sink) {
                            return context.host.runs().decide_approval(id, decision, decided_by, asker, sink, options);
                          });
             }));
}

}  // namespace aurite::api::detail
