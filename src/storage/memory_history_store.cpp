#include "aurite/storage/memory_history_store.hpp"

#include <algorithm>

#include "storage/history_rules.hpp"

namespace aurite::storage {

std::int64_t MemoryHistoryStore::append_turn(const std::string& agent_name, const std::string& session_id,
                                             const std::string& role, const std::string& content_json,
                                             const TurnUsage& /*usage*/) {
  check_append(agent_name, role, content_json);
  const std::string session = session_or_default(session_id);
  const std::string now = iso_utc(std::chrono::system_clock::now());
  std::lock_guard lock(mutex_);
  Session& stored = sessions_[{agent_name, session}];
  if (stored.turns.empty()) stored.created_at = now;
  const auto seq = static_cast<std::int64_t>(stored.turns.size()) + 1;
  stored.turns.push_back({seq, role, content_json, now});
  return seq;
}

std::vector<Turn> MemoryHistoryStore::load_history(const std::string& agent_name, const std::string& session_id,
                                                   std::size_t limit) {
  check_agent_name(agent_name);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  const auto found = sessions_.find({agent_name, session});
  if (found == sessions_.end()) return {};
  const auto& turns = found->second.turns;
  std::vector<Turn> newest_first(turns.rbegin(), turns.rbegin() + static_cast<std::ptrdiff_t>(std::min(limit, turns.size())));
  return safe_window(std::move(newest_first));
}

std::vector<Turn> MemoryHistoryStore::load_turns(const std::string& agent_name, const std::string& session_id,
                                                 std::int64_t after_seq, std::size_t limit) {
  check_agent_name(agent_name);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  const auto found = sessions_.find({agent_name, session});
  if (found == sessions_.end()) return {};
  std::vector<Turn> out;
  for (const Turn& turn : found->second.turns) {
    if (out.size() >= limit) break;
    if (turn.seq > after_seq) out.push_back(turn);
  }
  return out;
}

SessionPage MemoryHistoryStore::list_sessions(const SessionQuery& query) {
  std::lock_guard lock(mutex_);
  SessionPage page;
  for (const auto& [key, stored] : sessions_) {
    if (query.agent_name && *query.agent_name != key.first) continue;
    page.sessions.push_back({key.first, key.second, stored.created_at, stored.turns.back().created_at,
                             static_cast<std::int64_t>(stored.turns.size())});
  }
  std::stable_sort(page.sessions.begin(), page.sessions.end(),
                   [](const SessionInfo& a, const SessionInfo& b) { return a.last_updated > b.last_updated; });
  return page;
}

bool MemoryHistoryStore::delete_session(const std::string& agent_name, const std::string& session_id) {
  std::lock_guard lock(mutex_);
  return sessions_.erase({agent_name, session_or_default(session_id)}) != 0;
}

}  // namespace aurite::storage
