// storage/memory_run_store — a RunStore that lives as long as the process.
//
// For runs when no database is configured: the same rules as the database stores
// (statuses, conditional changes, cursors, event seqs), nothing durable, and nothing
// shared with other processes, so a run here is followed only through this process.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>

#include "aurite/storage/run_store.hpp"

namespace aurite::storage {

// Thread-safe. Bounded: keeps every live run, and of the ended ones the newest
// `max_ended_runs` to end; each run that ends past that drops the one that ended first
// (with its events), after which it is not found.
class MemoryRunStore final : public RunStore {
 public:
  static constexpr std::size_t kDefaultMaxEndedRuns = 1000;

  explicit MemoryRunStore(std::size_t max_ended_runs = kDefaultMaxEndedRuns) : max_ended_runs_(max_ended_runs) {}

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

 private:
  struct Stored {
    RunRecord record;
    std::int64_t heartbeat_ms = 0;
    std::map<std::int64_t, RunEvent> events;  // by seq
  };

  // The run ended now: stamps finished_at and drops the ended runs past the bound.
  // The caller holds mutex_.
  void ended(Stored& run);

  const std::size_t max_ended_runs_;
  std::mutex mutex_;
  std::map<std::string, Stored> runs_;  // by id; guarded by mutex_
  std::deque<std::string> ended_;       // ids of ended runs, first to end first; guarded by mutex_
};

}  // namespace aurite::storage
