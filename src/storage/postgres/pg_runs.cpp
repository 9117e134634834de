// PgBackend as a RunStore. Every change of a run is one conditional UPDATE whose WHERE
// names the statuses it may start from: a second writer waits on the row lock, then finds
// the row changed and its UPDATE matching nothing. Changes are not repeated on a lost
// connection: the first try may have committed, and the repeat would report it as lost.
#include <algorithm>
#include <limits>

#include "aurite/common/error.hpp"
#include "storage/history_rules.hpp"
#include "storage/postgres/pg_backend.hpp"
#include "storage/run_rules.hpp"

namespace aurite::storage::postgres {
namespace {

#define AURITE_ISO(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define AURITE_LIVE "status IN ('queued', 'running', 'awaiting_approval')"
// The last column is created_at to the microsecond: the cursor's sort key, exact.
#define AURITE_RUN_COLUMNS                                                                                    \
  "SELECT id, kind, name, session_id, status, message, process, " AURITE_ISO("created_at") ", "             \
  "COALESCE(" AURITE_ISO("started_at") ", ''), COALESCE(" AURITE_ISO("finished_at") ", ''), final_text, "   \
  "COALESCE(result, ''), COALESCE(error, ''), turns, cancel_requested, "                                    \
  "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM runs"
// $1-$3 NULL: no filter on name / session / status. ($4, $5) is the cursor; the first page
// passes 'infinity', after every run, so one statement serves every page.
#define AURITE_RUN_PAGE                                                                                       \
  " ($1::text IS NULL OR name = $1) AND ($2::text IS NULL OR session_id = $2)"                               \
  " AND ($3::text IS NULL OR status = $3) AND (created_at, id) < ($4::timestamptz, $5)"                     \
  " ORDER BY created_at DESC, id DESC LIMIT $6::bigint"

constexpr Query kInsertRun{
    "insert_run",
    "INSERT INTO runs (id, kind, name, session_id, status, message, process, started_at, heartbeat_ms)"
    " VALUES ($1, $2, $3, $4, $5::text, $6, $7, CASE WHEN $5::text = 'running' THEN now() END, $8::bigint)"};
constexpr Query kStartRun{
    "start_run",
    "UPDATE runs SET status = 'running', process = $2, heartbeat_ms = $3::bigint,"
    " started_at = COALESCE(started_at, now())"
    " WHERE id = $1 AND status IN ('queued', 'awaiting_approval') RETURNING id"};
constexpr Query kFinishRun{
    "finish_run",
    "UPDATE runs SET status = $2::text, final_text = $3, result = $4, error = $5, turns = $6,"
    " finished_at = CASE WHEN $2::text = 'awaiting_approval' THEN NULL ELSE now() END"
    " WHERE id = $1 AND status = 'running' RETURNING id"};
// What `end` leaves empty keeps what the run stored while it waited.
constexpr Query kEndWaitingRun{
    "end_waiting_run",
    "UPDATE runs SET status = $2, final_text = COALESCE($3, final_text), result = COALESCE($4, result),"
    " error = COALESCE($5, error), turns = COALESCE($6, turns), finished_at = now()"
    " WHERE id = $1 AND status IN ('queued', 'awaiting_approval') RETURNING id"};
constexpr Query kFindRun{"find_run", AURITE_RUN_COLUMNS " WHERE id = $1"};
// One statement per leading filter, so each can use its index.
constexpr Query kListRuns{"list_runs", AURITE_RUN_COLUMNS " WHERE" AURITE_RUN_PAGE};
constexpr Query kListRunsOfName{"list_runs_of_name", AURITE_RUN_COLUMNS " WHERE name = $1 AND" AURITE_RUN_PAGE};
constexpr Query kListRunsOfSession{"list_runs_of_session",
                                   AURITE_RUN_COLUMNS " WHERE session_id = $2 AND" AURITE_RUN_PAGE};
constexpr Query kListRunsOfStatus{"list_runs_of_status", AURITE_RUN_COLUMNS " WHERE status = $3 AND" AURITE_RUN_PAGE};
constexpr Query kInsertRunEvent{"insert_run_event",
                                "INSERT INTO run_events (run_id, seq, event, data) VALUES ($1, $2::bigint, $3, $4)"};
constexpr Query kRunEventsAfter{
    "run_events_after",
    "SELECT seq, event, data FROM run_events WHERE run_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3::bigint"};
constexpr Query kLastRunEventSeq{"last_run_event_seq",
                                 "SELECT COALESCE(MAX(seq), 0) FROM run_events WHERE run_id = $1"};
constexpr Query kRequestCancel{"request_cancel",
                               "UPDATE runs SET cancel_requested = true WHERE id = $1 AND " AURITE_LIVE " RETURNING id"};
constexpr Query kHeartbeat{
    "heartbeat",
    "UPDATE runs SET heartbeat_ms = $2::bigint WHERE process = $1 AND " AURITE_LIVE " RETURNING id, cancel_requested"};
constexpr Query kStaleRuns{
    "stale_runs",
    "SELECT id, process, heartbeat_ms FROM runs"
    " WHERE " AURITE_LIVE " AND status <> 'awaiting_approval' AND heartbeat_ms < $1::bigint ORDER BY id"};
// Checks staleness again: a beat that came after the select keeps the run.
constexpr Query kInterruptRun{
    "interrupt_run",
    "UPDATE runs SET status = 'interrupted', error = $2, finished_at = now()"
    " WHERE id = $1 AND status IN ('queued', 'running') AND heartbeat_ms < $3::bigint RETURNING id"};

#undef AURITE_RUN_PAGE
#undef AURITE_RUN_COLUMNS
#undef AURITE_LIVE
#undef AURITE_ISO

constexpr const char* kForeignKeyViolation = "23503";

Param text_or_null(const std::string& text) { return text.empty() ? Param(nullptr) : Param(text); }

Param filter_param(const std::optional<std::string>& text) { return text ? Param(*text) : Param(nullptr); }

std::string run_limit_text(std::size_t n) {
  return std::to_string(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max() - 1));
}

RunRecord run_at(const Result& rows, int row) {
  RunRecord run;
  run.id = text_at(rows, row, 0);
  run.kind = text_at(rows, row, 1);
  run.name = text_at(rows, row, 2);
  run.session_id = text_at(rows, row, 3);
  run.status = text_at(rows, row, 4);
  run.message = text_at(rows, row, 5);
  run.process = text_at(rows, row, 6);
  run.created_at = text_at(rows, row, 7);
  run.started_at = text_at(rows, row, 8);
  run.finished_at = text_at(rows, row, 9);
  run.final_text = text_at(rows, row, 10);
  run.result_json = text_at(rows, row, 11);
  run.error_json = text_at(rows, row, 12);
  run.turns_json = text_at(rows, row, 13);
  run.cancel_requested = text_at(rows, row, 14) == "t";
  return run;
}

bool row_changed(const Result& rows) { return PQntuples(rows.get()) > 0; }

}  // namespace

void PgBackend::create_run(const RunRecord& run, std::int64_t now_ms) {
  check_new_run(run);
  const std::string session = session_or_default(run.session_id);
  const std::string beat = std::to_string(now_ms);
  with_connection(false, [&](Connection& conn) {
    conn.exec(kInsertRun, {run.id, run.kind, run.name, session, run.status, run.message, run.process, beat});
    return 0;
  });
}

bool PgBackend::start_run(const std::string& id, const std::string& process, std::int64_t now_ms) {
  const std::string beat = std::to_string(now_ms);
  return with_connection(false, [&](Connection& conn) { return row_changed(conn.exec(kStartRun, {id, process, beat})); });
}

bool PgBackend::finish_run(const std::string& id, const RunEnd& end) {
  check_run_end(end, /*may_wait=*/true);
  const std::string turns = stored_turns(end.turns_json);
  return with_connection(false, [&](Connection& conn) {
    return row_changed(conn.exec(kFinishRun, {id, end.status, end.final_text, text_or_null(end.result_json),
                                          text_or_null(end.error_json), turns}));
  });
}

bool PgBackend::end_waiting_run(const std::string& id, const RunEnd& end) {
  check_run_end(end, /*may_wait=*/false);
  const Param turns = end.turns_json == "[]" ? Param(nullptr) : text_or_null(end.turns_json);
  return with_connection(false, [&](Connection& conn) {
    return row_changed(conn.exec(kEndWaitingRun, {id, end.status, text_or_null(end.final_text),
                                              text_or_null(end.result_json), text_or_null(end.error_json), turns}));
  });
}

std::optional<RunRecord> PgBackend::find_run(const std::string& id) {
  return with_connection(true, [&](Connection& conn) -> std::optional<RunRecord> {
    const Result rows = conn.exec(kFindRun, {id});
    if (PQntuples(rows.get()) == 0) return std::nullopt;
    return run_at(rows, 0);
  });
}

RunPage PgBackend::list_runs(const RunQuery& query) {
  check_run_query(query);
  const RunCursor after = query.cursor ? decode_run_cursor(*query.cursor) : RunCursor{"infinity", ""};
  const std::optional<std::string> session =
      query.session_id ? std::optional(session_or_default(*query.session_id)) : std::nullopt;
  const Query& sql = query.name ? kListRunsOfName
                     : session  ? kListRunsOfSession
                     : query.status ? kListRunsOfStatus
                                    : kListRuns;
  const std::string fetch = run_limit_text(query.limit + 1);  // one more tells whether another page follows
  return with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(sql, {filter_param(query.name), filter_param(session),
                                        filter_param(query.status), after.sort_key, after.id, fetch});
    RunPage page;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      if (page.runs.size() == query.limit) {
        page.next_cursor = encode_run_cursor({text_at(rows, row - 1, 15), page.runs.back().id});
        break;
      }
      page.runs.push_back(run_at(rows, row));
    }
    return page;
  });
}

void PgBackend::append_events(const std::string& run_id, const std::vector<RunEvent>& events) {
  check_run_events(run_id, events);
  if (events.empty()) return;
  with_connection(false, [&](Connection& conn) {
    Transaction tx(conn);
    try {
      for (const RunEvent& event : events) {
        conn.exec(kInsertRunEvent, {run_id, std::to_string(event.seq), event.event, event.data_json});
      }
    } catch (const PgError& e) {
      if (e.sqlstate() != kForeignKeyViolation) throw;
      throw Error(ErrorCode::kNotFound, "run '" + run_id + "' not found (appending its events)");
    }
    tx.commit();
    return 0;
  });
}

std::vector<RunEvent> PgBackend::events_after(const std::string& run_id, std::int64_t after_seq, std::size_t limit) {
  if (limit == 0) return {};
  const std::string after = std::to_string(after_seq);
  const std::string count = run_limit_text(limit);
  return with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kRunEventsAfter, {run_id, after, count});
    std::vector<RunEvent> events;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      events.push_back({int64_at(rows, row, 0), text_at(rows, row, 1), text_at(rows, row, 2)});
    }
    return events;
  });
}

std::int64_t PgBackend::last_event_seq(const std::string& run_id) {
  return with_connection(true, [&](Connection& conn) { return int64_at(conn.exec(kLastRunEventSeq, {run_id}), 0, 0); });
}

bool PgBackend::request_cancel(const std::string& id) {
  // Safe to repeat: asking twice asks once.
  return with_connection(true, [&](Connection& conn) { return row_changed(conn.exec(kRequestCancel, {id})); });
}

std::vector<std::string> PgBackend::heartbeat(const std::string& process, std::int64_t now_ms) {
  const std::string beat = std::to_string(now_ms);
  // Safe to repeat: a second beat at the same time changes nothing more.
  auto cancel = with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kHeartbeat, {process, beat});
    std::vector<std::string> ids;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      if (text_at(rows, row, 1) == "t") ids.push_back(text_at(rows, row, 0));
    }
    return ids;
  });
  std::sort(cancel.begin(), cancel.end());  // RETURNING has no order
  return cancel;
}

std::size_t PgBackend::mark_interrupted(std::int64_t stale_before_ms) {
  const std::string before = std::to_string(stale_before_ms);
  // Each run on its own: one statement, one row lock, so it never waits on a heartbeat
  // holding other rows.
  return with_connection(false, [&](Connection& conn) {
    const Result stale = conn.exec(kStaleRuns, {before});
    std::size_t interrupted = 0;
    for (int row = 0; row < PQntuples(stale.get()); ++row) {
      const std::string error = interrupted_error(text_at(stale, row, 1), int64_at(stale, row, 2));
      if (row_changed(conn.exec(kInterruptRun, {text_at(stale, row, 0), error, before}))) ++interrupted;
    }
    return interrupted;
  });
}

}  // namespace aurite::storage::postgres
