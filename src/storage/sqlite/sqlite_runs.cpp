// SqliteBackend as a RunStore. Every change of a run is one conditional UPDATE in a write
// transaction (BEGIN IMMEDIATE), whose WHERE names the statuses it may start from: of two
// processes on one file, the second finds the row changed and its UPDATE matching nothing.
#include <algorithm>
#include <limits>

#include "aurite/common/error.hpp"
#include "storage/history_rules.hpp"
#include "storage/run_rules.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace aurite::storage::sqlite {
namespace {

#define AURITE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
// Spelled as runs_live's WHERE, so that SQLite uses the partial index.
#define AURITE_LIVE "status IN ('queued', 'running', 'awaiting_approval')"
#define AURITE_RUN_COLUMNS                                                                                   \
  "SELECT id, kind, name, session_id, status, message, process, created_at, COALESCE(started_at, ''),"     \
  " COALESCE(finished_at, ''), final_text, COALESCE(result, ''), COALESCE(error, ''), turns, cancel_requested" \
  " FROM runs"
// ?1-?3 NULL: no filter on name / session / status. (?4, ?5) is the cursor; the first page
// passes a position after every run, so one statement serves every page.
#define AURITE_RUN_PAGE                                                                                      \
  " (?1 IS NULL OR name = ?1) AND (?2 IS NULL OR session_id = ?2) AND (?3 IS NULL OR status = ?3)"          \
  " AND (created_at, id) < (?4, ?5) ORDER BY created_at DESC, id DESC LIMIT ?6"

constexpr const char* kInsertRun =
    "INSERT INTO runs (id, kind, name, session_id, status, message, process, started_at, heartbeat_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?5 = 'running' THEN " AURITE_NOW " END, ?8)";
constexpr const char* kStartRun =
    "UPDATE runs SET status = 'running', process = ?2, heartbeat_ms = ?3,"
    " started_at = COALESCE(started_at, " AURITE_NOW ")"
    " WHERE id = ?1 AND status IN ('queued', 'awaiting_approval') RETURNING id";
constexpr const char* kFinishRun =
    "UPDATE runs SET status = ?2, final_text = ?3, result = ?4, error = ?5, turns = ?6,"
    " finished_at = CASE WHEN ?2 = 'awaiting_approval' THEN NULL ELSE " AURITE_NOW " END"
    " WHERE id = ?1 AND status = 'running' RETURNING id";
// What `end` leaves empty keeps what the run stored while it waited.
constexpr const char* kEndWaitingRun =
    "UPDATE runs SET status = ?2, final_text = COALESCE(?3, final_text), result = COALESCE(?4, result),"
    " error = COALESCE(?5, error), turns = COALESCE(?6, turns), finished_at = " AURITE_NOW
    " WHERE id = ?1 AND status IN ('queued', 'awaiting_approval') RETURNING id";
constexpr const char* kFindRun = AURITE_RUN_COLUMNS " WHERE id = ?1";
// One statement per leading filter, so each can use its index.
constexpr const char* kListRuns = AURITE_RUN_COLUMNS " WHERE" AURITE_RUN_PAGE;
constexpr const char* kListRunsOfName = AURITE_RUN_COLUMNS " WHERE name = ?1 AND" AURITE_RUN_PAGE;
constexpr const char* kListRunsOfSession = AURITE_RUN_COLUMNS " WHERE session_id = ?2 AND" AURITE_RUN_PAGE;
constexpr const char* kListRunsOfStatus = AURITE_RUN_COLUMNS " WHERE status = ?3 AND" AURITE_RUN_PAGE;
constexpr const char* kRunExists = "SELECT 1 FROM runs WHERE id = ?1";
constexpr const char* kInsertRunEvent = "INSERT INTO run_events (run_id, seq, event, data) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kRunEventsAfter =
    "SELECT seq, event, data FROM run_events WHERE run_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
constexpr const char* kLastRunEventSeq = "SELECT COALESCE(MAX(seq), 0) FROM run_events WHERE run_id = ?1";
constexpr const char* kRequestCancel =
    "UPDATE runs SET cancel_requested = 1 WHERE id = ?1 AND " AURITE_LIVE " RETURNING id";
constexpr const char* kHeartbeat =
    "UPDATE runs SET heartbeat_ms = ?2 WHERE process = ?1 AND " AURITE_LIVE " RETURNING id, cancel_requested";
constexpr const char* kStaleRuns =
    "SELECT id, process, heartbeat_ms FROM runs"
    " WHERE " AURITE_LIVE " AND status <> 'awaiting_approval' AND heartbeat_ms < ?1 ORDER BY id";
// Checks staleness again: a beat that came after the select keeps the run.
constexpr const char* kInterruptRun =
    "UPDATE runs SET status = 'interrupted', error = ?2, finished_at = " AURITE_NOW
    " WHERE id = ?1 AND status IN ('queued', 'running') AND heartbeat_ms < ?3 RETURNING id";

#undef AURITE_RUN_PAGE
#undef AURITE_RUN_COLUMNS
#undef AURITE_LIVE
#undef AURITE_NOW

// A position after every run: created_at text is always earlier.
constexpr const char* kAfterEveryRun = "9999-12-31T23:59:59.999Z";

std::optional<std::string> null_when_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional(text);
}

std::int64_t run_limit(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max() - 1));
}

RunRecord run_at(const Statement& row) {
  RunRecord run;
  run.id = row.column_text(0);
  run.kind = row.column_text(1);
  run.name = row.column_text(2);
  run.session_id = row.column_text(3);
  run.status = row.column_text(4);
  run.message = row.column_text(5);
  run.process = row.column_text(6);
  run.created_at = row.column_text(7);
  run.started_at = row.column_text(8);
  run.finished_at = row.column_text(9);
  run.final_text = row.column_text(10);
  run.result_json = row.column_text(11);
  run.error_json = row.column_text(12);
  run.turns_json = row.column_text(13);
  run.cancel_requested = row.column_int64(14) != 0;
  return run;
}

}  // namespace

void SqliteBackend::create_run(const RunRecord& run, std::int64_t now_ms) {
  check_new_run(run);
  const std::string session = session_or_default(run.session_id);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  {
    auto insert = db_.cached(kInsertRun);
    insert->bind(1, run.id);
    insert->bind(2, run.kind);
    insert->bind(3, run.name);
    insert->bind(4, session);
    insert->bind(5, run.status);
    insert->bind(6, run.message);
    insert->bind(7, run.process);
    insert->bind(8, now_ms);
    insert->step();
  }
  tx.commit();
}

bool SqliteBackend::start_run(const std::string& id, const std::string& process, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool started = false;
  {
    auto update = db_.cached(kStartRun);
    update->bind(1, id);
    update->bind(2, process);
    update->bind(3, now_ms);
    started = update->step();
  }
  tx.commit();
  return started;
}

bool SqliteBackend::finish_run(const std::string& id, const RunEnd& end) {
  check_run_end(end, /*may_wait=*/true);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool finished = false;
  {
    auto update = db_.cached(kFinishRun);
    update->bind(1, id);
    update->bind(2, end.status);
    update->bind(3, end.final_text);
    update->bind(4, null_when_empty(end.result_json));
    update->bind(5, null_when_empty(end.error_json));
    update->bind(6, stored_turns(end.turns_json));
    finished = update->step();
  }
  tx.commit();
  return finished;
}

bool SqliteBackend::end_waiting_run(const std::string& id, const RunEnd& end) {
  check_run_end(end, /*may_wait=*/false);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool ended = false;
  {
    auto update = db_.cached(kEndWaitingRun);
    update->bind(1, id);
    update->bind(2, end.status);
    update->bind(3, null_when_empty(end.final_text));
    update->bind(4, null_when_empty(end.result_json));
    update->bind(5, null_when_empty(end.error_json));
    update->bind(6, end.turns_json == "[]" ? std::nullopt : null_when_empty(end.turns_json));
    ended = update->step();
  }
  tx.commit();
  return ended;
}

std::optional<RunRecord> SqliteBackend::find_run(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kFindRun);
  select->bind(1, id);
  if (!select->step()) return std::nullopt;
  return run_at(*select);
}

RunPage SqliteBackend::list_runs(const RunQuery& query) {
  check_run_query(query);
  const RunCursor after = query.cursor ? decode_run_cursor(*query.cursor) : RunCursor{kAfterEveryRun, ""};
  const std::optional<std::string> session =
      query.session_id ? std::optional(session_or_default(*query.session_id)) : std::nullopt;
  const char* sql = query.name ? kListRunsOfName
                    : session  ? kListRunsOfSession
                    : query.status ? kListRunsOfStatus
                                   : kListRuns;
  RunPage page;
  std::lock_guard lock(mutex_);
  auto select = db_.cached(sql);
  select->bind(1, query.name);
  select->bind(2, session);
  select->bind(3, query.status);
  select->bind(4, after.sort_key);
  select->bind(5, after.id);
  select->bind(6, run_limit(query.limit) + 1);  // one more tells whether another page follows
  while (select->step()) {
    if (page.runs.size() == query.limit) {
      const RunRecord& last = page.runs.back();
      page.next_cursor = encode_run_cursor({last.created_at, last.id});
      break;
    }
    page.runs.push_back(run_at(*select));
  }
  return page;
}

void SqliteBackend::append_events(const std::string& run_id, const std::vector<RunEvent>& events) {
  check_run_events(run_id, events);
  if (events.empty()) return;
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  {
    auto exists = db_.cached(kRunExists);
    exists->bind(1, run_id);
    if (!exists->step()) throw Error(ErrorCode::kNotFound, "run '" + run_id + "' not found (appending its events)");
  }
  for (const RunEvent& event : events) {
    auto insert = db_.cached(kInsertRunEvent);
    insert->bind(1, run_id);
    insert->bind(2, event.seq);
    insert->bind(3, event.event);
    insert->bind(4, event.data_json);
    insert->step();
  }
  tx.commit();
}

std::vector<RunEvent> SqliteBackend::events_after(const std::string& run_id, std::int64_t after_seq,
                                                  std::size_t limit) {
  if (limit == 0) return {};
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kRunEventsAfter);
  select->bind(1, run_id);
  select->bind(2, after_seq);
  select->bind(3, run_limit(limit));
  std::vector<RunEvent> events;
  while (select->step()) events.push_back({select->column_int64(0), select->column_text(1), select->column_text(2)});
  return events;
}

std::int64_t SqliteBackend::last_event_seq(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kLastRunEventSeq);
  select->bind(1, run_id);
  select->step();
  return select->column_int64(0);
}

bool SqliteBackend::request_cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool requested = false;
  {
    auto update = db_.cached(kRequestCancel);
    update->bind(1, id);
    requested = update->step();
  }
  tx.commit();
  return requested;
}

std::vector<std::string> SqliteBackend::heartbeat(const std::string& process, std::int64_t now_ms) {
  std::vector<std::string> cancel;
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  {
    auto update = db_.cached(kHeartbeat);
    update->bind(1, process);
    update->bind(2, now_ms);
    while (update->step()) {
      if (update->column_int64(1) != 0) cancel.push_back(update->column_text(0));
    }
  }
  tx.commit();
  std::sort(cancel.begin(), cancel.end());  // RETURNING has no order
  return cancel;
}

std::size_t SqliteBackend::mark_interrupted(std::int64_t stale_before_ms) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  struct Stale {
    std::string id;
    std::string process;
    std::int64_t heartbeat_ms;
  };
  std::vector<Stale> stale;
  {
    auto select = db_.cached(kStaleRuns);
    select->bind(1, stale_before_ms);
    while (select->step()) stale.push_back({select->column_text(0), select->column_text(1), select->column_int64(2)});
  }
  std::size_t interrupted = 0;
  for (const Stale& run : stale) {
    auto update = db_.cached(kInterruptRun);
    update->bind(1, run.id);
    update->bind(2, interrupted_error(run.process, run.heartbeat_ms));
    update->bind(3, stale_before_ms);
    if (update->step()) ++interrupted;
  }
  tx.commit();
  return interrupted;
}

}  // namespace aurite::storage::sqlite
