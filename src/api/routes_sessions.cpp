// Sessions and their history: GET /sessions (agent filter, limit, keyset cursor),
// GET /sessions/{agent}/{session_id}/turns (keyset paged by seq), DELETE /sessions/{agent}/{session_id}.
#include <fmt/format.h>

#include <limits>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"

namespace aurite::api::detail {
namespace {

constexpr long long kMaxPage = 1000;
constexpr long long kDefaultPage = 50;

Json session_json(const storage::SessionInfo& s) {
  return {{"agent", s.agent_name},
          {"session_id", s.session_id},
          {"created_at", s.created_at},
          {"last_updated", s.last_updated},
          {"turn_count", s.turn_count}};
}

Json content_of(const storage::Turn& turn) {
  try {
    return Json::parse(turn.content_json);
  } catch (const Json::parse_error&) {
    return turn.content_json;  // the store only holds JSON; kept readable if not
  }
}

Error no_session(const std::string& agent, const std::string& session) {
  return Error(ErrorCode::kNotFound, fmt::format("no session '{}' of agent '{}'", session, agent));
}

}  // namespace

void add_session_routes(httplib::Server& server, ApiContext& context) {
  host::HostManager& host = context.host;

  add_route(server, context, "GET", "/sessions", ([&host](const httplib::Request& request, httplib::Response& response) {
               storage::SessionQuery query;
               query.agent_name = text_param(request, "agent");
               query.limit = static_cast<std::size_t>(int_param(request, "limit", 1, kMaxPage).value_or(kDefaultPage));
               query.after = request.get_param_value("cursor");
               const auto page = history_store_of(host).list_sessions(query);
               Json sessions = Json::array();
               for (const auto& s : page.sessions) sessions.push_back(session_json(s));
               send_json(response, 200,
                         {{"sessions", sessions},
                          {"next_cursor", page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor)}});
             }));

  // One keyset read per page: seq > after_seq, one turn more than asked to tell whether
  // another page follows.
  add_route(server, context, "GET", "/sessions/{agent}/{session_id}/turns",
            ([&host](const httplib::Request& request, httplib::Response& response) {
               const std::string agent = path_param(request, 1);
               const std::string session = path_param(request, 2);
               const long long after_seq = int_param(request, "after_seq", 0, std::numeric_limits<long long>::max()).value_or(0);
               const auto limit = static_cast<std::size_t>(int_param(request, "limit", 1, kMaxPage).value_or(kDefaultPage));
               auto& history = history_store_of(host);
               auto turns = history.load_turns(agent, session, after_seq, limit + 1);
               // An empty page past the end of a known session is still a page.
               if (turns.empty() && (after_seq == 0 || history.load_turns(agent, session, 0, 1).empty())) {
                 throw no_session(agent, session);
               }
               Json next_after_seq = nullptr;
               if (turns.size() > limit) {
                 turns.pop_back();
                 next_after_seq = turns.back().seq;
               }
               Json page = Json::array();
               for (const auto& turn : turns) {
                 page.push_back({{"seq", turn.seq}, {"role", turn.role}, {"content", content_of(turn)}, {"created_at", turn.created_at}});
               }
               send_json(response, 200, {{"agent", agent}, {"session_id", session}, {"turns", page}, {"next_after_seq", next_after_seq}});
             }));

  add_route(server, context, "DELETE", "/sessions/{agent}/{session_id}", ([&host](const httplib::Request& request, httplib::Response& response) {
                  const std::string agent = path_param(request, 1);
                  const std::string session = path_param(request, 2);
                  if (!history_store_of(host).delete_session(agent, session)) throw no_session(agent, session);
                  response.status = 204;
                }));
}

}  // namespace aurite::api::detail
