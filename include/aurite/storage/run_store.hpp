// storage/run_store — every run as a resource: its row (what ran, on which session, how
// it is doing, what it produced) and the events it reported, kept so that another
// connection, a reconnecting client or another process on the database can follow it.
//
// A run goes queued -> running -> one of completed, failed, cancelled; or running ->
// awaiting_approval -> running again (approvals) or cancelled. The process running a run
// beats for it (heartbeat); a live run whose beat is older than the caller's bound is
// interrupted by whoever looks next (mark_interrupted): its process died. Events are
// numbered 1, 2, ... per run by the one process that runs it at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aurite::storage {

// Statuses: "queued", "running", "awaiting_approval" (live), "completed", "failed",
// "cancelled", "interrupted" (ended).
bool run_status_is_live(const std::string& status);
bool is_run_status(const std::string& status);

struct RunRecord {
  std::string id;          // chosen by the caller: 128 random bits, URL-safe
  std::string kind;        // "agent", "workflow", "graph_workflow", "custom_workflow"
  std::string name;        // the agent or workflow
  std::string session_id;  // given empty, stored and returned as kDefaultSession ("default")
  std::string status = "queued";
  std::string message;     // the input
  std::string process;     // who runs it now ("host:pid:nonce")
  std::string created_at;  // ISO 8601, UTC, set by the database
  std::string started_at;  // "" until it first runs
  std::string finished_at; // "" until it ends
  std::string final_text;
  std::string result_json;  // the result object once completed or awaiting approval; "" before
  std::string error_json;   // the error body ({"code", "message"}) once failed, cancelled or interrupted
  std::string turns_json = "[]";  // the turns it stored: [{"agent": NAME, "seq": N}, ...]
  bool cancel_requested = false;
};

// How a run ended, or that it waits (status "awaiting_approval").
struct RunEnd {
  std::string status;
  std::string final_text;
  std::string result_json;
  std::string error_json;
  std::string turns_json = "[]";
};

struct RunEvent {
  std::int64_t seq = 0;  // 1-based per run
  std::string event;     // its name ("model_call", "tool_call", ..., "done", "error")
  std::string data_json;
};

struct RunQuery {
  std::optional<std::string> name;
  std::optional<std::string> session_id;
  std::optional<std::string> status;
  // From a previous page's next_cursor: the runs older than its last one.
  std::optional<std::string> cursor;
  std::size_t limit = 50;
};

// Newest first (created_at, then id); next_cursor is set when more may follow.
struct RunPage {
  std::vector<RunRecord> runs;
  std::optional<std::string> next_cursor;
};

// Thread-safe; several processes may use one database at once. Every method throws
// aurite::Error as HistoryStore documents (kUnavailable, kTimeout, kIo), and
// Error(kInvalidArgument) for arguments the contract below refuses. A session_id is
// stored as history stores it (empty: kDefaultSession), so runs and turns name the same
// session.
class RunStore {
 public:
  virtual ~RunStore() = default;

  // A new run as `run` says (id, kind, name, session_id, status "queued" or "running",
  // message, process); started_at is set when it starts "running". Its heartbeat is
  // now_ms. Error(kAlreadyExists) for an id in use; Error(kInvalidArgument) for an empty
  // id, kind or name, or another status.
  virtual void create_run(const RunRecord& run, std::int64_t now_ms) = 0;

  // A queued run, or one awaiting approval, starts running in `process`; false (nothing
  // changed) from any other status.
  virtual bool start_run(const std::string& id, const std::string& process, std::int64_t now_ms) = 0;

  // A running run ends (or waits: status "awaiting_approval"); false (nothing changed)
  // when it is not running, e.g. interrupted meanwhile. finished_at is set unless it waits.
  // Error(kInvalidArgument) for a live end.status other than "awaiting_approval", or
  // result/error/turns that are not JSON.
  virtual bool finish_run(const std::string& id, const RunEnd& end) = 0;

  // A live run nobody runs now (queued, awaiting approval) ends at once with `end`;
  // false when it is not in one of those. What `end` leaves empty (final_text,
  // result_json, error_json, turns_json "[]") keeps what the run stored while it waited.
  // Error(kInvalidArgument) when end.status is not an ended status.
  virtual bool end_waiting_run(const std::string& id, const RunEnd& end) = 0;

  virtual std::optional<RunRecord> find_run(const std::string& id) = 0;
  // Error(kInvalidArgument) naming the cursor when it is not one this store gave, and for
  // a limit of 0 or an unknown status.
  virtual RunPage list_runs(const RunQuery& query) = 0;

  // Appends events, all or none; their seqs follow the run's last one. Error(kAlreadyExists)
  // when a seq is taken (another process writes the run's events), Error(kNotFound) for an
  // unknown run, Error(kInvalidArgument) for a seq below 1 or an empty event name.
  virtual void append_events(const std::string& run_id, const std::vector<RunEvent>& events) = 0;
  // The run's events with seq > after_seq, oldest first, at most `limit`.
  virtual std::vector<RunEvent> events_after(const std::string& run_id, std::int64_t after_seq,
                                             std::size_t limit) = 0;
  // 0 when the run has none.
  virtual std::int64_t last_event_seq(const std::string& run_id) = 0;

  // Asks the process running a live run to cancel it; false when the run is unknown or ended.
  virtual bool request_cancel(const std::string& id) = 0;

  // The live runs of `process` beat at now_ms; returns those of them asked to cancel, by id.
  virtual std::vector<std::string> heartbeat(const std::string& process, std::int64_t now_ms) = 0;

  // Queued and running runs whose last beat is before stale_before_ms end "interrupted",
  // with an error body saying their process stopped beating. Returns how many.
  virtual std::size_t mark_interrupted(std::int64_t stale_before_ms) = 0;
};

}  // namespace aurite::storage
