// The PostgreSQL backend: a pool of libpq connections; every statement prepared once per
// connection. Concurrency between processes is left to the server: the session row's
// lock orders appends, an advisory lock serialises migrations.
#pragma once

#include <functional>

#include "storage/backend.hpp"
#include "storage/pool.hpp"
#include "storage/postgres/pg_conn.hpp"

namespace aurite::storage::postgres {

class PgBackend final : public Backend {
 public:
  // Opens one connection at once so an unreachable server fails here, at start-up.
  explicit PgBackend(const StorageSettings& settings);

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
  // Runs `work` on a pooled connection. When the connection turns out to be lost and
  // `retry_when_lost` (the work is safe to repeat), runs it once more on a fresh one.
  template <typename Work>
  auto with_connection(bool retry_when_lost, Work&& work);

  Pool<Connection> pool_;
};

}  // namespace aurite::storage::postgres
