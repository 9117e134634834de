#include "aurite/host/runs.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/wall_clock.hpp"
#include "aurite/secrets/encoding.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"
#include "host/run_journal.hpp"

namespace aurite::host {
namespace {

// How often a follower looks at a run another process runs.
constexpr std::chrono::milliseconds kRemotePoll{250};
// A live run whose beat is this many intervals old has lost its process.
constexpr int kMissedBeats = 5;

std::int64_t now_ms() { return epoch_ms(std::chrono::system_clock::now()); }

// The error body the API answers with, so a stored error reads as the answer did.
Json error_of(const std::exception& error) {
  const auto* ours = dynamic_cast<const Error*>(&error);
  Json details = Json::array();
  if (const auto* config = dynamic_cast<const ConfigError*>(&error)) {
    for (const auto& d : config->diagnostics()) details.push_back({{"path", d.path}, {"message", d.message}});
  }
  return {{"error",
           {{"code", ours != nullptr ? std::string(to_string(ours->code())) : "internal"},
            {"message", error.what()},
            {"details", std::move(details)}}}};
}

bool is_cancel(const std::exception& error) {
  const auto* ours = dynamic_cast<const Error*>(&error);
  return ours != nullptr && ours->code() == ErrorCode::kCancelled;
}

}  // namespace

Json to_json(const storage::RunRecord& run) {
  const auto json_or_null = [](const std::string& text) {
    return text.empty() ? Json(nullptr) : Json::parse(text, nullptr, false);
  };
  const auto text_or_null = [](const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); };
  Json error = json_or_null(run.error_json);
  return {{"run_id", run.id},
          {"kind", run.kind},
          {"name", run.name},
          {"session_id", run.session_id},
          {"status", run.status},
          {"message", run.message},
          {"created_at", run.created_at},
          {"started_at", text_or_null(run.started_at)},
          {"finished_at", text_or_null(run.finished_at)},
          {"final_text", run.final_text},
          {"result", json_or_null(run.result_json)},
          {"error", error.is_object() && error.contains("error") ? error["error"] : error},
          {"turns", json_or_null(run.turns_json)},
          {"cancel_requested", run.cancel_requested}};
}

RunsOptions runs_options_from_env() {
  RunsOptions options;
  if (const auto text = get_env("AURITE_RUN_HEARTBEAT_MS")) {
    long long value = 0;
    std::size_t used = 0;
    try {
      value = std::stoll(*text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text->size() || value < 50 || value > 60000) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("AURITE_RUN_HEARTBEAT_MS: expected milliseconds from 50 to 60000, not '{}'", *text));
    }
    options.heartbeat = std::chrono::milliseconds(value);
  }
  return options;
}

// A run running here: what cancels it, and who waits for its next event.
struct Runs::Live {
  Cancellation cancel;
  std::mutex mutex;
  std::condition_variable changed;
  std::int64_t last_seq = 0;  // guarded by mutex
  bool ended = false;         // guarded by mutex
};

// Numbers, stores and hands on the events of one run here.
class Runs::Recording {
 public:
  // `last_seq`: the run's last event so far (0 for a run that has just begun).
  // `kind` and `name` are the run's, for its metrics.
  Recording(Runs& runs, std::string id, std::string kind, std::string name, std::shared_ptr<Live> live,
            RunEventSink sink, std::int64_t last_seq)
      : runs_(runs),
        id_(std::move(id)),
        kind_(std::move(kind)),
        name_(std::move(name)),
        live_(std::move(live)),
        sink_(std::move(sink)) {
    live_->last_seq = last_seq;
  }

  void emit(const std::string& event, const Json& data) {
    storage::RunEvent recorded;
    {
      std::lock_guard lock(live_->mutex);
      recorded = {live_->last_seq + 1, event, data.dump(-1, ' ', false, Json::error_handler_t::replace)};
    }
    try {
      runs_.store_.append_events(id_, {recorded});
    } catch (const std::exception& error) {
      // The run matters more than its record: it goes on, and says once what is missing.
      if (!warned_) spdlog::warn("run {}: its events are not being stored: {}", id_, error.what());
      warned_ = true;
    }
    {
      std::lock_guard lock(live_->mutex);
      live_->last_seq = recorded.seq;
    }
    live_->changed.notify_all();
    if (sink_) sink_(recorded);
  }

  // The last event (`done` with the result) and the row's end; the run is no longer live here.
  void completed(detail::RunJournal& journal, Json& out) {
    out["run_id"] = id_;
    journal.emit("done", out);
    const bool waits = out.value("status", "") == "awaiting_approval";
    end({waits ? "awaiting_approval" : "completed", out.value("final_text", ""), out.dump(), "",
         journal.stored_turns().dump()});
  }

  // The same for a run that threw `error`.
  void failed(detail::RunJournal& journal, const std::exception& error) {
    const Json body = error_of(error);
    journal.emit("error", body);
    end({is_cancel(error) ? "cancelled" : "failed", "", "", body.dump(), journal.stored_turns().dump()});
  }

 private:
  void end(const storage::RunEnd& end) {
    try {
      if (!runs_.store_.finish_run(id_, end)) {
        spdlog::warn("run {}: it ended {} but its row was no longer running (marked interrupted meanwhile?)", id_,
                     end.status);
      }
    } catch (const std::exception& error) {
      spdlog::warn("run {}: could not record that it ended {}: {}", id_, end.status, error.what());
    }
    telemetry::record_run(kind_, name_, end.status,
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    {
      std::lock_guard lock(live_->mutex);
      live_->ended = true;
    }
    live_->changed.notify_all();
    runs_.remove_live(id_);
  }

  Runs& runs_;
  const std::string id_;
  const std::string kind_;
  const std::string name_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::shared_ptr<Live> live_;
  RunEventSink sink_;
  bool warned_ = false;  // emit() is called one event at a time (the journal's lock)
};

Runs::Runs(execution::ExecutionFacade& facade, const execution::ConfigLookup& configs, storage::RunStore& store,
           storage::ApprovalStore* approvals, RunsOptions options)
    : facade_(facade),
      configs_(configs),
      store_(store),
      approvals_(approvals),
      options_(options),
      process_(new_lease_holder()),
      beater_([this](const std::stop_token& stop) { beat_loop(stop); }) {}

Runs::~Runs() {
  beater_.request_stop();
  beat_wake_.notify_all();
}

std::string Runs::new_run_id() { return "run_" + secrets::to_hex(secrets::random_bytes(16)); }

storage::RunRecord Runs::new_record(const RunSpec& spec, const std::string& status) const {
  const auto kind = execution::kind_of(configs_, spec.name);
  if (!kind) throw Error(ErrorCode::kNotFound, fmt::format("nothing to run is named '{}'", spec.name));
  storage::RunRecord record;
  record.id = spec.id.empty() ? new_run_id() : spec.id;
  record.kind = *kind;
  record.name = spec.name;
  record.session_id = spec.session_id;
  record.status = status;
  record.message = spec.message;
  record.process = process_;
  return record;
}

std::string Runs::queue(const RunSpec& spec) {
  const storage::RunRecord record = new_record(spec, "queued");
  store_.create_run(record, now_ms());
  return record.id;
}

Json Runs::run(const RunSpec& spec, execution::RunObserver* observer, const RunEventSink& sink) {
  const storage::RunRecord record = new_record(spec, "running");
  const std::string& id = record.id;
  if (!spec.queued) {
    store_.create_run(record, now_ms());
  } else if (!store_.start_run(id, process_, now_ms())) {
    throw Error(ErrorCode::kCancelled, fmt::format("run {} was cancelled before it started", id));
  }
  auto live = std::make_shared<Live>();
  add_live(id, live);
  Recording recording(*this, id, record.kind, record.name, live, sink, 0);
  detail::RunJournal journal([&recording](const std::string& event, const Json& data) { recording.emit(event, data); },
                             observer, spec.stream_text || static_cast<bool>(sink));
  if (auto* participant = dynamic_cast<RunParticipant*>(observer)) {
    participant->attach([&journal](const std::string& event, const Json& data) { journal.emit(event, data); });
  }
  journal.emit("run", {{"run_id", id}, {"name", spec.name}, {"kind", record.kind}, {"session_id", spec.session_id}});
  execution::RunOptions options = spec.options;
  options.cancel = &live->cancel;
  options.run_id = id;
  Json out;
  try {
    out = facade_.run(spec.name, spec.message, spec.session_id, &journal, options);
  } catch (const std::exception& error) {
    recording.failed(journal, error);
    throw;
  }
  recording.completed(journal, out);
  return out;
}

Json Runs::decide_approval(const std::string& approval_id, const execution::ApprovalDecision& decision,
                           const std::string& decided_by, execution::RunObserver* observer, const RunEventSink& sink,
                           const execution::RunOptions& options) {
  // The run's id is known once this process takes the run up; until then nothing is recorded.
  auto live = std::make_shared<Live>();
  std::string id;
  std::optional<Recording> recording;
  detail::RunJournal journal(
      [&recording](const std::string& event, const Json& data) {
        if (recording) recording->emit(event, data);
      },
      observer, static_cast<bool>(sink));
  if (auto* participant = dynamic_cast<RunParticipant*>(observer)) {
    participant->attach([&journal](const std::string& event, const Json& data) { journal.emit(event, data); });
  }
  execution::RunOptions continuing = options;
  continuing.cancel = &live->cancel;
  continuing.on_continue = [&](const std::string& run_id) {
    if (!store_.start_run(run_id, process_, now_ms())) return;  // a run of an older version: not recorded
    id = run_id;
    add_live(id, live);
    const auto run = store_.find_run(run_id);
    recording.emplace(*this, id, run ? run->kind : "agent", run ? run->name : "", live, sink,
                      store_.last_event_seq(id));
    journal.emit("resumed", {{"run_id", id}, {"approval_id", approval_id}, {"decided_by", decided_by}});
  };
  Json out;
  try {
    out = facade_.decide_approval(approval_id, decision, decided_by, &journal, continuing);
  } catch (const std::exception& error) {
    if (recording) recording->failed(journal, error);
    throw;
  }
  if (recording) recording->completed(journal, out);
  return out;
}

Runs::CancelResult Runs::cancel(const std::string& id, const std::string& by) {
  const storage::RunRecord record = get(id);
  if (!storage::run_status_is_live(record.status)) {
    throw Error(ErrorCode::kConflict, fmt::format("run {} has ended ({}): there is nothing to cancel", id, record.status));
  }
  bool asked = false;
  if (!cancel_here(id)) {
    const Json body = {{"error", {{"code", "cancelled"}, {"message", fmt::format("cancelled by {}", by)}, {"details", Json::array()}}}};
    const storage::RunEnd end{"cancelled", "", "", body.dump(), record.turns_json};
    if (store_.end_waiting_run(id, end)) {
      // Nobody runs it: what it waited for goes with it, so its session is free again.
      if (record.status == "awaiting_approval" && approvals_ != nullptr) {
        for (const auto& approval : approvals_->approvals_of_run(id)) {
          if (approval.status == "pending") {
            approvals_->decide_approval(approval.id, false, std::nullopt, "the run was cancelled", by);
          }
        }
        approvals_->finish_paused_run(id);
      }
    } else {
      store_.request_cancel(id);  // running in another process: it hears this with its next beat
      asked = true;
    }
  }
  return {store_.find_run(id).value_or(record), asked};
}

bool Runs::cancel_here(const std::string& id) {
  const auto running = live(id);
  if (!running) return false;
  running->cancel.cancel();
  return true;
}

std::optional<storage::RunRecord> Runs::find(const std::string& id) {
  mark_stale();
  return store_.find_run(id);
}

storage::RunRecord Runs::get(const std::string& id) {
  auto record = find(id);
  if (!record) throw Error(ErrorCode::kNotFound, fmt::format("no run with id '{}'", id));
  return std::move(*record);
}

bool Runs::still_running(const storage::RunRecord& run) { return run.status == "queued" || run.status == "running"; }

storage::RunPage Runs::list(const storage::RunQuery& query) {
  mark_stale();
  return store_.list_runs(query);
}

std::vector<storage::RunEvent> Runs::wait_for_events(const std::string& id, std::int64_t after_seq,
                                                     std::chrono::steady_clock::time_point deadline) {
  constexpr std::size_t kPage = 500;
  while (true) {
    auto events = store_.events_after(id, after_seq, kPage);
    if (!events.empty()) return events;
    const auto running = live(id);
    if (!running) {
      const auto record = find(id);
      if (!record || !still_running(*record)) {
        return store_.events_after(id, after_seq, kPage);  // what came in before it ended
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return {};
    if (running) {
      std::unique_lock lock(running->mutex);
      running->changed.wait_until(lock, std::min(deadline, now + std::chrono::seconds(1)),
                                  [&] { return running->last_seq > after_seq || running->ended; });
      if (running->ended && running->last_seq <= after_seq) return {};
    } else {
      std::unique_lock lock(beat_mutex_);
      beat_wake_.wait_until(lock, std::min(deadline, now + kRemotePoll));
    }
  }
}

void Runs::add_live(const std::string& id, std::shared_ptr<Live> live) {
  std::lock_guard lock(live_mutex_);
  live_[id] = std::move(live);
}

void Runs::remove_live(const std::string& id) {
  std::lock_guard lock(live_mutex_);
  live_.erase(id);
}

std::shared_ptr<Runs::Live> Runs::live(const std::string& id) {
  std::lock_guard lock(live_mutex_);
  const auto found = live_.find(id);
  return found == live_.end() ? nullptr : found->second;
}

void Runs::mark_stale() {
  try {
    store_.mark_interrupted(now_ms() - kMissedBeats * options_.heartbeat.count());
  } catch (const std::exception& error) {
    spdlog::debug("runs: could not look for interrupted runs: {}", error.what());
  }
}

void Runs::beat_loop(const std::stop_token& stop) {
  bool failing = false;
  while (!stop.stop_requested()) {
    try {
      for (const auto& id : store_.heartbeat(process_, now_ms())) {
        if (cancel_here(id)) spdlog::info("run {}: cancelled from elsewhere", id);
      }
      if (failing) spdlog::info("runs: beating again");
      failing = false;
    } catch (const std::exception& error) {
      if (!failing) spdlog::warn("runs: cannot beat for this process's runs: {}", error.what());
      failing = true;
    }
    std::unique_lock lock(beat_mutex_);
    beat_wake_.wait_for(lock, stop, options_.heartbeat, [] { return false; });
  }
}

}  // namespace aurite::host
