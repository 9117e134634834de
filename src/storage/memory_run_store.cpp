#include "aurite/storage/memory_run_store.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "aurite/common/error.hpp"
#include "storage/history_rules.hpp"
#include "storage/run_rules.hpp"

namespace aurite::storage {
namespace {

std::string now_text() { return iso_utc(std::chrono::system_clock::now()); }

// Newest first, as the databases order: created_at, then id, both descending.
bool newer(const RunRecord& a, const RunRecord& b) {
  return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
}

void apply_end(RunRecord& run, const RunEnd& end) {
  run.status = end.status;
  run.final_text = end.final_text;
  run.result_json = end.result_json;
  run.error_json = end.error_json;
  run.turns_json = stored_turns(end.turns_json);
}

}  // namespace

void MemoryRunStore::create_run(const RunRecord& run, std::int64_t now_ms) {
  check_new_run(run);
  RunRecord stored;
  stored.id = run.id;
  stored.kind = run.kind;
  stored.name = run.name;
  stored.session_id = session_or_default(run.session_id);
  stored.status = run.status;
  stored.message = run.message;
  stored.process = run.process;
  stored.created_at = now_text();
  if (stored.status == "running") stored.started_at = stored.created_at;
  std::lock_guard lock(mutex_);
  if (runs_.contains(run.id)) throw Error(ErrorCode::kAlreadyExists, "run '" + run.id + "' exists already");
  runs_.emplace(run.id, Stored{std::move(stored), now_ms, {}});
}

bool MemoryRunStore::start_run(const std::string& id, const std::string& process, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(id);
  if (found == runs_.end()) return false;
  RunRecord& run = found->second.record;
  if (run.status != "queued" && run.status != "awaiting_approval") return false;
  run.status = "running";
  run.process = process;
  if (run.started_at.empty()) run.started_at = now_text();
  found->second.heartbeat_ms = now_ms;
  return true;
}

bool MemoryRunStore::finish_run(const std::string& id, const RunEnd& end) {
  check_run_end(end, /*may_wait=*/true);
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(id);
  if (found == runs_.end() || found->second.record.status != "running") return false;
  apply_end(found->second.record, end);
  if (end.status != "awaiting_approval") ended(found->second);
  return true;
}

bool MemoryRunStore::end_waiting_run(const std::string& id, const RunEnd& end) {
  check_run_end(end, /*may_wait=*/false);
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(id);
  if (found == runs_.end()) return false;
  RunRecord& run = found->second.record;
  if (run.status != "queued" && run.status != "awaiting_approval") return false;
  // What `end` leaves empty keeps what the run stored while it waited, as in the databases.
  RunEnd merged = end;
  if (merged.final_text.empty()) merged.final_text = run.final_text;
  if (merged.result_json.empty()) merged.result_json = run.result_json;
  if (merged.error_json.empty()) merged.error_json = run.error_json;
  if (merged.turns_json.empty() || merged.turns_json == "[]") merged.turns_json = run.turns_json;
  apply_end(run, merged);
  ended(found->second);
  return true;
}

std::optional<RunRecord> MemoryRunStore::find_run(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(id);
  if (found == runs_.end()) return std::nullopt;
  return found->second.record;
}

RunPage MemoryRunStore::list_runs(const RunQuery& query) {
  check_run_query(query);
  const std::optional<RunCursor> after =
      query.cursor ? std::optional(decode_run_cursor(*query.cursor)) : std::nullopt;
  const std::optional<std::string> session =
      query.session_id ? std::optional(session_or_default(*query.session_id)) : std::nullopt;
  std::vector<RunRecord> matching;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, stored] : runs_) {
      const RunRecord& run = stored.record;
      if (query.name && run.name != *query.name) continue;
      if (session && run.session_id != *session) continue;
      if (query.status && run.status != *query.status) continue;
      if (after && std::tie(run.created_at, run.id) >= std::tie(after->sort_key, after->id)) continue;
      matching.push_back(run);
    }
  }
  std::sort(matching.begin(), matching.end(), newer);
  RunPage page;
  if (matching.size() > query.limit) {
    matching.resize(query.limit);
    page.next_cursor = encode_run_cursor({matching.back().created_at, matching.back().id});
  }
  page.runs = std::move(matching);
  return page;
}

void MemoryRunStore::append_events(const std::string& run_id, const std::vector<RunEvent>& events) {
  check_run_events(run_id, events);
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(run_id);
  if (found == runs_.end()) throw Error(ErrorCode::kNotFound, "run '" + run_id + "' not found (appending its events)");
  auto& stored = found->second.events;
  // All or nothing, as in one transaction: every seq is checked before any is added.
  for (std::size_t i = 0; i < events.size(); ++i) {
    const bool repeated = std::any_of(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(i),
                                      [&](const RunEvent& e) { return e.seq == events[i].seq; });
    if (repeated || stored.contains(events[i].seq)) {
      throw Error(ErrorCode::kAlreadyExists,
                  "run '" + run_id + "': event seq " + std::to_string(events[i].seq) + " is taken");
    }
  }
  for (const RunEvent& event : events) stored.emplace(event.seq, event);
}

std::vector<RunEvent> MemoryRunStore::events_after(const std::string& run_id, std::int64_t after_seq,
                                                   std::size_t limit) {
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(run_id);
  if (found == runs_.end()) return {};
  std::vector<RunEvent> events;
  const auto& stored = found->second.events;
  for (auto it = stored.upper_bound(after_seq); it != stored.end() && events.size() < limit; ++it) {
    events.push_back(it->second);
  }
  return events;
}

std::int64_t MemoryRunStore::last_event_seq(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(run_id);
  if (found == runs_.end() || found->second.events.empty()) return 0;
  return found->second.events.rbegin()->first;
}

bool MemoryRunStore::request_cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(id);
  if (found == runs_.end() || !run_status_is_live(found->second.record.status)) return false;
  found->second.record.cancel_requested = true;
  return true;
}

std::vector<std::string> MemoryRunStore::heartbeat(const std::string& process, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> cancel;  // in id order: runs_ is sorted by id
  for (auto& [id, stored] : runs_) {
    if (stored.record.process != process || !run_status_is_live(stored.record.status)) continue;
    stored.heartbeat_ms = now_ms;
    if (stored.record.cancel_requested) cancel.push_back(id);
  }
  return cancel;
}

std::size_t MemoryRunStore::mark_interrupted(std::int64_t stale_before_ms) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> stale;
  for (const auto& [id, stored] : runs_) {
    const std::string& status = stored.record.status;
    if ((status == "queued" || status == "running") && stored.heartbeat_ms < stale_before_ms) stale.push_back(id);
  }
  // Collected first: ended() may drop other ended runs from runs_.
  for (const std::string& id : stale) {
    Stored& run = runs_.at(id);
    run.record.status = "interrupted";
    run.record.error_json = interrupted_error(run.record.process, run.heartbeat_ms);
    ended(run);
  }
  return stale.size();
}

void MemoryRunStore::ended(Stored& run) {
  run.record.finished_at = now_text();
  ended_.push_back(run.record.id);
  while (ended_.size() > max_ended_runs_) {
    runs_.erase(ended_.front());
    ended_.pop_front();
  }
}

}  // namespace aurite::storage
