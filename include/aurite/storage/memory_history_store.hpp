// storage/memory_history_store — a HistoryStore that lives as long as the process.
//
// For a conversation that must carry from one message to the next when no database is
// configured (`aurite chat` without AURITE_ENABLE_DB): the same rules as the database
// stores (argument checks, gap-free seqs, the tool-exchange-safe window), nothing durable.
#pragma once

#include <map>
#include <mutex>
#include <utility>

#include "aurite/storage/history_store.hpp"

namespace aurite::storage {

// Thread-safe. Keeps every turn appended until it is destroyed; keeps no usage (what a
// run cost is in its result, and stored only with a database).
class MemoryHistoryStore final : public HistoryStore {
 public:
  std::int64_t append_turn(const std::string& agent_name, const std::string& session_id, const std::string& role,
                           const std::string& content_json, const TurnUsage& usage = {}) override;
  std::vector<Turn> load_history(const std::string& agent_name, const std::string& session_id,
                                 std::size_t limit) override;
  std::vector<Turn> load_turns(const std::string& agent_name, const std::string& session_id, std::int64_t after_seq,
                               std::size_t limit) override;
  // Every session on one page, newest first (the query's cursor is ignored).
  SessionPage list_sessions(const SessionQuery& query) override;
  bool delete_session(const std::string& agent_name, const std::string& session_id) override;

 private:
  struct Session {
    std::string created_at;
    std::vector<Turn> turns;  // seq i + 1 at index i
  };
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Session> sessions_;  // guarded by mutex_
};

}  // namespace aurite::storage
