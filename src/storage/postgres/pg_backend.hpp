// The PostgreSQL backend: a pool of libpq connections; every statement prepared once per
// connection. Concurrency between processes is left to the server: the session row's
// lock orders appends, an advisory lock serialises migrations.
#pragma once

#include <functional>

#include "aurite/common/log.hpp"

#include "storage/backend.hpp"
#include "storage/pool.hpp"
#include "storage/postgres/pg_conn.hpp"

namespace aurite::storage::postgres {

class PgBackend final : public Backend {
 public:
  // Opens one connection at once so an unreachable server fails here, at start-up.
  explicit PgBackend(const StorageSettings& settings);

  std::int64_t append_turn(const std::string& agent_name, const std::string& session_id,
                           const std::string& role, const std::string& content_json,
                           const TurnUsage& usage = {}) override;
  std::vector<Turn> load_history(const std::string& agent_name, const std::string& session_id,
                                 std::size_t limit) override;
  std::vector<Turn> load_turns(const std::string& agent_name, const std::string& session_id, std::int64_t after_seq,
                               std::size_t limit) override;
  SessionPage list_sessions(const SessionQuery& query) override;
  bool delete_session(const std::string& agent_name, const std::string& session_id) override;

  void migrate() override;
  std::int64_t schema_version() override;
  std::map<std::string, std::int64_t> row_counts() override;
  std::optional<PoolStats> pool_stats() override { return pool_.stats(); }

  // ConfigStore (sqlite_config_store.cpp / pg_config_store.cpp)
  void save_client(const config::ClientConfig& client) override;
  void save_llm(const config::LlmConfig& llm) override;
  void save_agent(const config::AgentConfig& agent) override;
  void save_workflow(const config::WorkflowConfig& workflow) override;
  void save_custom_workflow(const config::CustomWorkflowConfig& workflow) override;
  void save_graph_workflow(const config::GraphWorkflowConfig& workflow) override;
  SyncCounts sync_configs(const config::ProjectConfig& project, bool prune) override;
  config::ProjectConfig load_configs() override;
  std::vector<StoredConfigInfo> list_configs() override;
  bool delete_config(config::ComponentKind kind, const std::string& name) override;

  // SessionLeaseStore (sqlite_session_lease.cpp / pg_session_lease.cpp)
  bool try_take_lease(const std::string& agent_name, const std::string& session_id, const std::string& holder,
                      std::int64_t now_ms, std::int64_t expires_at_ms) override;
  bool extend_lease(const std::string& agent_name, const std::string& session_id, const std::string& holder,
                    std::int64_t expires_at_ms) override;
  void release_lease(const std::string& agent_name, const std::string& session_id,
                     const std::string& holder) override;

  // SecretRows (pg_secret_rows.cpp)
  std::optional<std::string> sealed_secret(const std::string& name) override;
  bool put_sealed_secret(const std::string& name, const std::string& sealed,
                         const std::optional<std::string>& holder) override;
  bool delete_secret(const std::string& name) override;
  std::vector<std::string> secret_names(const std::string& prefix) override;
  void for_each_sealed_secret(
      const std::function<void(const std::string& name, const std::string& sealed)>& visit) override;
  bool try_lock_secret(const std::string& name, const std::string& holder, std::int64_t now_ms,
                       std::int64_t expires_at_ms) override;
  void unlock_secret(const std::string& name, const std::string& holder) override;

  // ApprovalStore (pg_approvals.cpp)
  void pause_run(const PausedRun& run, const std::vector<PendingCall>& calls) override;
  std::vector<ApprovalRecord> list_approvals(const ApprovalQuery& query) override;
  std::vector<ApprovalRecord> approvals_of_run(const std::string& run_id) override;
  std::optional<ApprovalRecord> find_approval(const std::string& id) override;
  bool decide_approval(const std::string& id, bool approved, const std::optional<std::string>& arguments_json,
                       const std::string& reason, const std::string& decided_by) override;
  std::optional<PausedRun> claim_paused_run(const std::string& run_id, const std::string& holder) override;
  void finish_paused_run(const std::string& run_id) override;
  std::optional<std::string> waiting_run_on(const std::string& agent_name, const std::string& session_id) override;

  // RunStore (pg_runs.cpp)
  void create_run(const RunRecord& run, std::int64_t now_ms) override;
  bool start_run(const std::string& id, const std::string& process, std::int64_t now_ms) override;
  bool finish_run(const std::string& id, const RunEnd& end) override;
  bool end_waiting_run(const std::string& id, const RunEnd& end) override;
  std::optional<RunRecord> find_run(const std::string& id) override;
  RunPage list_runs(const RunQuery& query) override;
  void append_events(const std::string& run_id, const std::vector<RunEvent>& events) override;
  std::vector<RunEvent> events_after(const std::string& run_id, std::int64_t after_seq, std::size_t limit) override;
  std::int64_t last_event_seq(const std::string& run_id) override;
  bool request_cancel(const std::string& id) override;
  std::vector<std::string> heartbeat(const std::string& process, std::int64_t now_ms) override;
  std::size_t mark_interrupted(std::int64_t stale_before_ms) override;

  // HistoryAdmin (sqlite_history_admin.cpp / pg_history_admin.cpp)
  PruneCounts prune_older_than(std::chrono::seconds age) override;
  PruneCounts prune_keep_newest(std::size_t keep) override;
  std::vector<TurnRecord> search(const std::string& query, const std::optional<std::string>& agent_name,
                                 std::size_t limit) override;
  HistoryStats stats(const std::optional<std::string>& agent_name,
                     const std::vector<config::LlmConfig>& llms = {}) override;
  void for_each_turn(const TurnFilter& filter, const std::function<void(const TurnRecord&)>& visit) override;
  std::int64_t import_turns(const std::vector<TurnRecord>& turns) override;

 private:
  // Runs `work` on a pooled connection. When the connection turns out to be lost and
  // `retry_when_lost` (the work is safe to repeat), runs it once more on a fresh one.
  template <typename Work>
  auto with_connection(bool retry_when_lost, Work&& work);

  Pool<Connection> pool_;
};

template <typename Work>
auto PgBackend::with_connection(bool retry_when_lost, Work&& work) {
  {
    // A failure to connect is not retried here: the pool already opened a fresh
    // connection, and trying twice would only double the wait on an unreachable server.
    auto lease = pool_.acquire();
    try {
      return work(*lease);
    } catch (const PgError& e) {
      if (!retry_when_lost || !e.connection_lost()) throw;
      spdlog::warn("retrying on a new connection after: {}", e.what());
    }
  }
  auto lease = pool_.acquire();
  return work(*lease);
}

}  // namespace aurite::storage::postgres
