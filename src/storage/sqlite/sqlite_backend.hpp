// The SQLite backend: one connection per process, calls serialised by a mutex; several
// processes share the file through WAL and BEGIN IMMEDIATE with a busy timeout.
#pragma once

#include <memory>
#include <mutex>

#include "storage/backend.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace aurite::storage::sqlite {

class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(const StorageSettings& settings);

  std::int64_t append_turn(const std::string& agent_name, const std::string& session_id,
                           const std::string& role, const std::string& content_json) override;
  std::vector<Turn> load_history(const std::string& agent_name, const std::string& session_id,
                                 std::size_t limit) override;
  SessionPage list_sessions(const SessionQuery& query) override;
  bool delete_session(const std::string& agent_name, const std::string& session_id) override;

  void migrate() override;
  std::int64_t schema_version() override;
  std::map<std::string, std::int64_t> row_counts() override;

 private:
  std::mutex mutex_;
  Database db_;
};

}  // namespace aurite::storage::sqlite
