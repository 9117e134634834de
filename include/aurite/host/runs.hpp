// host/runs — every run of this process as a resource: an id, a row (storage/run_store.hpp,
// in the database when it is on, else in this process's memory), the events it reports
// (numbered, stored, and handed at once to whoever follows it here), and cancelling it
// from this process or any other on the database.
//
// The process beats for its live runs on a thread of its own; the beat also brings the
// cancels asked for elsewhere (another `aurite serve`, `aurite runs cancel`). A process
// that dies stops beating: whoever lists or shows runs next marks its runs interrupted.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "aurite/common/cancellation.hpp"
#include "aurite/execution/execution_facade.hpp"
#include "aurite/storage/approval_store.hpp"
#include "aurite/storage/run_store.hpp"

namespace aurite::host {

using Json = nlohmann::json;

// Sees each event of a run as it is recorded, on the thread that records it.
using RunEventSink = std::function<void(const storage::RunEvent& event)>;

struct RunsOptions {
  // How often this process beats for its runs and looks for cancels asked elsewhere,
  // AURITE_RUN_HEARTBEAT_MS [2000], 50..60000. A live run whose beat is 5 intervals old
  // is interrupted.
  std::chrono::milliseconds heartbeat{2000};
};

// A run as the API and `--json` show it: its row, with result, error and turns as JSON
// (null until there is one) and the process that runs it left out (it names the host).
Json to_json(const storage::RunRecord& run);

// Reads AURITE_RUN_HEARTBEAT_MS; Error(kInvalidArgument) naming it when out of range.
RunsOptions runs_options_from_env();

// What to run and how.
struct RunSpec {
  std::string name;
  std::string message;
  std::string session_id;
  execution::RunOptions options;  // cancel and run_id are the run's own
  // The run's id: one queue() recorded (queued = true), or a new one to use (from
  // new_run_id(), when the caller must know it before the run starts); empty: a new one.
  std::string id;
  bool queued = false;
  // Stream the answer into the events even with no observer or sink (a background run
  // somebody may follow through GET /runs/{id}/events).
  bool stream_text = false;
};

using EmitEvent = std::function<void(const std::string& event, const Json& data)>;

// An observer behind a run that adds events of its own to the run's (a question it puts
// to its client, say): Runs::run attaches the run's emitter before the run starts.
class RunParticipant : public execution::RunObserver {
 public:
  void attach(EmitEvent emit) { emit_ = std::move(emit); }

 protected:
  void emit(const std::string& event, const Json& data) const {
    if (emit_) emit_(event, data);
  }

 private:
  EmitEvent emit_;
};

class Runs {
 public:
  // `store` outlives this. Starts the heartbeat thread.
  // `approvals` (null without a database) lets a cancel deny the calls a run waits for.
  Runs(execution::ExecutionFacade& facade, const execution::ConfigLookup& configs, storage::RunStore& store,
       storage::ApprovalStore* approvals, RunsOptions options = {});
  ~Runs();
  Runs(const Runs&) = delete;
  Runs& operator=(const Runs&) = delete;

  // A new run's id: "run_" and 32 hex digits (128 random bits).
  static std::string new_run_id();

  // Records a queued run (its row exists from now on) and returns its id. Throws
  // Error(kNotFound) for a name nothing has, and what the store throws.
  std::string queue(const RunSpec& spec);

  // Runs `spec` here: its row goes running, every step is recorded as an event (the
  // first, `run`, names the run; the last is `done` with the result or `error`), passed
  // to `sink` and to `observer` (which alone answers approvals and elicitations; a
  // RunParticipant may add events), and the row ends completed, awaiting_approval,
  // failed or cancelled. Returns the result object (as ExecutionFacade::run, with
  // "run_id"); throws what the run threw, after recording it. A queued run cancelled
  // before it started throws Error(kCancelled).
  Json run(const RunSpec& spec, execution::RunObserver* observer = nullptr, const RunEventSink& sink = {});

  // ExecutionFacade::decide_approval, recorded: a decision that takes the run up continues
  // its row and its events under the run's id.
  Json decide_approval(const std::string& approval_id, const execution::ApprovalDecision& decision,
                       const std::string& decided_by, execution::RunObserver* observer = nullptr,
                       const RunEventSink& sink = {}, const execution::RunOptions& options = {});

  struct CancelResult {
    storage::RunRecord run;  // as it is now (another process may have ended it already)
    bool asked = false;      // another process runs it and was asked: it ends with its next beat
  };
  // Cancels a live run: here at once when this process runs it, else by asking its
  // process (which hears it with its next beat); a queued run, or one awaiting approval,
  // ends cancelled at once (its waiting approvals are denied). Throws Error(kNotFound)
  // for an unknown id, kConflict naming the status when it has ended.
  CancelResult cancel(const std::string& id, const std::string& by);

  // A cancel of the run `id` this process runs; false when it runs no such run.
  bool cancel_here(const std::string& id);

  // The store's view, after marking runs whose process stopped beating interrupted.
  std::optional<storage::RunRecord> find(const std::string& id);
  // As find(); Error(kNotFound) naming the id when there is no such run.
  storage::RunRecord get(const std::string& id);
  // What a follower of the run waits for: it is queued or running (a run that waits for
  // approval has said all it will until somebody decides).
  static bool still_running(const storage::RunRecord& run);
  storage::RunPage list(const storage::RunQuery& query);

  // Waits until the run has events after `after_seq` or has ended, at most until
  // `deadline`; returns them (none when it ended or time ran out). A run of another
  // process is looked at every poll interval.
  std::vector<storage::RunEvent> wait_for_events(const std::string& id, std::int64_t after_seq,
                                                 std::chrono::steady_clock::time_point deadline);

  storage::RunStore& store() { return store_; }
  const std::string& process() const { return process_; }

 private:
  struct Live;
  class Recording;

  // The row of a new run of `spec`; Error(kNotFound) for a name nothing has.
  storage::RunRecord new_record(const RunSpec& spec, const std::string& status) const;
  void add_live(const std::string& id, std::shared_ptr<Live> live);
  void remove_live(const std::string& id);
  std::shared_ptr<Live> live(const std::string& id);
  void mark_stale();
  void beat_loop(const std::stop_token& stop);

  execution::ExecutionFacade& facade_;
  const execution::ConfigLookup& configs_;
  storage::RunStore& store_;
  storage::ApprovalStore* approvals_;
  const RunsOptions options_;
  const std::string process_;

  std::mutex live_mutex_;
  std::map<std::string, std::shared_ptr<Live>> live_;  // the runs running here now

  std::mutex beat_mutex_;
  std::condition_variable_any beat_wake_;
  std::jthread beater_;  // last: stops first
};

}  // namespace aurite::host
