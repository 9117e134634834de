// storage/approval_store — tool calls waiting for a person, kept in the database so that
// the wait survives the process: any process on the database may decide, and the run goes
// on in whichever process makes the last decision of its turn.
//
// A run that meets gated calls it cannot ask about pauses: one paused-run row (what the
// run needs to go on, as execution's JSON) and one approval row per gated call, written
// in one transaction after the model turn that made the calls is stored and before any
// gated call could run. A decision changes a pending row once; of two deciders exactly one
// wins. The run is claimed for continuing by exactly one process once none of its
// approvals is pending, then marked done whatever the continuation did.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aurite::storage {

// A gated call as the paused run records it.
struct PendingCall {
  std::string id;         // the approval's id, chosen by the caller (unique)
  std::string call_id;    // the model's tool_use id
  std::string tool;
  std::string client_id;
  std::string arguments_json;
  std::string why;        // the rule that gates it
};

struct PausedRun {
  std::string id;
  std::string agent_name;
  std::string session_id;
  std::int64_t turn_seq = 0;  // the stored assistant turn that made the calls; 0 when history is off
  std::string state_json;     // opaque here
};

struct ApprovalRecord {
  std::string id;
  std::string run_id;
  std::string agent_name;
  std::string session_id;
  std::int64_t turn_seq = 0;
  std::string call_id;
  std::string tool;
  std::string client_id;
  std::string arguments_json;
  std::string why;
  std::string status;  // "pending", "approved" or "denied"
  std::string created_at;  // ISO 8601, UTC
  // Once decided:
  std::optional<std::string> decided_arguments_json;  // approved with these arguments instead
  std::string reason;
  std::string decided_by;
  std::string decided_at;
};

struct ApprovalQuery {
  std::optional<std::string> agent_name;
  std::optional<std::string> session_id;
  bool pending_only = true;
  std::size_t limit = 100;  // newest first
};

// Thread-safe; several processes may use one database at once. Every method throws
// aurite::Error as HistoryStore documents (kUnavailable, kTimeout, kIo).
class ApprovalStore {
 public:
  virtual ~ApprovalStore() = default;

  // Records the paused run and its pending calls, all or nothing.
  virtual void pause_run(const PausedRun& run, const std::vector<PendingCall>& calls) = 0;

  virtual std::vector<ApprovalRecord> list_approvals(const ApprovalQuery& query) = 0;
  virtual std::vector<ApprovalRecord> approvals_of_run(const std::string& run_id) = 0;
  virtual std::optional<ApprovalRecord> find_approval(const std::string& id) = 0;

  // Decides a pending approval. false when it is not pending (decided before, or unknown):
  // nothing is changed then.
  virtual bool decide_approval(const std::string& id, bool approved, const std::optional<std::string>& arguments_json,
                               const std::string& reason, const std::string& decided_by) = 0;

  // Takes the run for continuing when none of its approvals is pending and nobody took
  // it before; the run when this caller did.
  virtual std::optional<PausedRun> claim_paused_run(const std::string& run_id, const std::string& holder) = 0;

  // The continuation ended (answered, paused again, or failed). Idempotent.
  virtual void finish_paused_run(const std::string& run_id) = 0;

  // The id of a run on the session that waits for decisions (claimed runs do not count).
  virtual std::optional<std::string> waiting_run_on(const std::string& agent_name, const std::string& session_id) = 0;
};

}  // namespace aurite::storage
