// Sessions and their history: GET /sessions (agent filter, limit, keyset cursor),
// GET /sessions/{agent}/{session_id}/turns (paged by seq), DELETE /sessions/{agent}/{session_id}.
#include <fmt/format.h>

#include <limits>

#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/error.hpp"

namespace aurite::api::detail {
namespace {

constexpr long long kMaxPage = 1000;
constexpr long long kDefaultPage = 50;

storage::HistoryStore& history_of(host::HostManager& host) {
  auto* storage = host.storage();
  auto* history = storage != nullptr ? storage->history() : nullptr;
  if (history == nullptr) {
    throw Error(ErrorCode::kUnavailable,
                "history is not stored by this server (set AURITE_ENABLE_DB=true and AURITE_DB_STORE_HISTORY=true)");
  }
  return *history;
}

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

}  // namespace

void add_session_routes(httplib::Server& server, ApiContext& context) {
  host::HostManager& host = context.host;

  add_route(server, context, "GET", "/sessions", ([&host](const httplib::Request& request, httplib::Response& response) {
               storage::SessionQuery query;
               if (request.has_param("agent")) query.agent_name = request.get_param_value("agent");
               query.limit = static_cast<std::size_t>(int_param(request, "limit", 1, kMaxPage).value_or(kDefaultPage));
               query.after = request.get_param_value("cursor");
               const auto page = history_of(host).list_sessions(query);
               Json sessions = Json::array();
               for (const auto& s : page.sessions) sessions.push_back(session_json(s));
               send_json(response, 200,
                         {{"sessions", sessions},
                          {"next_cursor", page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor)}});
             }));

  // The store reads a session's turns as one window (HistoryStore::load_history); pages are
  // cut from it by seq until the store offers a keyset read of its own.
  add_route(server, context, "GET", "/sessions/{agent}/{session_id}/turns",
            ([&host](const httplib::Request& request, httplib::Response& response) {
               const std::string agent = path_param(request, 1);
               const std::string session = path_param(request, 2);
               const long long after_seq = int_param(request, "after_seq", 0, std::numeric_limits<long long>::max()).value_or(0);
               const auto limit = static_cast<std::size_t>(int_param(request, "limit", 1, kMaxPage).value_or(kDefaultPage));
               const auto turns = history_of(host).load_history(agent, session, std::numeric_limits<std::size_t>::max());
               if (turns.empty()) throw Error(ErrorCode::kNotFound, fmt::format("no session '{}' of agent '{}'", session, agent));
               Json page = Json::array();
               Json next_after_seq = nullptr;
               for (const auto& turn : turns) {
                 if (turn.seq <= after_seq) continue;
                 if (page.size() == limit) {
                   next_after_seq = page.back()["seq"];
                   break;
                 }
                 page.push_back({{"seq", turn.seq}, {"role", turn.role}, {"content", content_of(turn)}, {"created_at", turn.created_at}});
               }
               send_json(response, 200, {{"agent", agent}, {"session_id", session}, {"turns", page}, {"next_after_seq", next_after_seq}});
             }));

  add_route(server, context, "DELETE", "/sessions/{agent}/{session_id}", ([&host](const httplib::Request& request, httplib::Response& response) {
                  const std::string agent = path_param(request, 1);
                  const std::string session = path_param(request, 2);
                  if (!history_of(host).delete_session(agent, session)) {
                    throw Error(ErrorCode::kNotFound, fmt::format("no session '{}' of agent '{}'", session, agent));
                  }
                  response.status = 204;
                }));
}

}  // namespace aurite::api::detail
