// SqliteBackend as an ApprovalStore. A decision and a claim are each one conditional
// UPDATE in a write transaction (BEGIN IMMEDIATE): of two processes on one file, the
// second finds the row changed and its UPDATE matching nothing.
#include <algorithm>
#include <limits>

#include "storage/history_rules.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace aurite::storage::sqlite {
namespace {

#define AURITE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

constexpr const char* kInsertPausedRun =
    "INSERT INTO paused_runs (id, agent_name, session_id, turn_seq, state) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kInsertApproval =
    "INSERT INTO approvals (id, run_id, agent_name, session_id, turn_seq, call_id, tool, client_id, arguments, why)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
#define AURITE_APPROVAL_COLUMNS                                                                              \
  "SELECT id, run_id, agent_name, session_id, turn_seq, call_id, tool, client_id, arguments, why, status," \
  " created_at, decided_arguments, COALESCE(reason, ''), COALESCE(decided_by, ''), COALESCE(decided_at, '')"  \
  " FROM approvals"
// ?1/?2 NULL: any agent / any session; ?3 = 1: pending ones only.
constexpr const char* kListApprovals = AURITE_APPROVAL_COLUMNS
    " WHERE (?1 IS NULL OR agent_name = ?1) AND (?2 IS NULL OR session_id = ?2) AND (?3 = 0 OR status = 'pending')"
    " ORDER BY created_at DESC, id LIMIT ?4";
constexpr const char* kApprovalsOfRun = AURITE_APPROVAL_COLUMNS " WHERE run_id = ?1 ORDER BY rowid";
constexpr const char* kFindApproval = AURITE_APPROVAL_COLUMNS " WHERE id = ?1";
constexpr const char* kDecideApproval =
    "UPDATE approvals SET status = ?2, decided_arguments = ?3, reason = ?4, decided_by = ?5, decided_at = " AURITE_NOW
    " WHERE id = ?1 AND status = 'pending' RETURNING id";
constexpr const char* kClaimPausedRun =
    "UPDATE paused_runs SET status = 'resuming', resumed_by = ?2"
    " WHERE id = ?1 AND status = 'awaiting'"
    "  AND NOT EXISTS (SELECT 1 FROM approvals WHERE run_id = ?1 AND status = 'pending')"
    " RETURNING id, agent_name, session_id, turn_seq, state";
constexpr const char* kFinishPausedRun = "UPDATE paused_runs SET status = 'done' WHERE id = ?1";
constexpr const char* kWaitingRunOn =
    "SELECT id FROM paused_runs WHERE agent_name = ?1 AND session_id = ?2 AND status = 'awaiting' LIMIT 1";

#undef AURITE_APPROVAL_COLUMNS
#undef AURITE_NOW

ApprovalRecord approval_at(const Statement& row) {
  ApprovalRecord record;
  record.id = row.column_text(0);
  record.run_id = row.column_text(1);
  record.agent_name = row.column_text(2);
  record.session_id = row.column_text(3);
  record.turn_seq = row.column_int64(4);
  record.call_id = row.column_text(5);
  record.tool = row.column_text(6);
  record.client_id = row.column_text(7);
  record.arguments_json = row.column_text(8);
  record.why = row.column_text(9);
  record.status = row.column_text(10);
  record.created_at = row.column_text(11);
  if (std::string arguments = row.column_text(12); !arguments.empty()) record.decided_arguments_json = std::move(arguments);
  record.reason = row.column_text(13);
  record.decided_by = row.column_text(14);
  record.decided_at = row.column_text(15);
  return record;
}

}  // namespace

void SqliteBackend::pause_run(const PausedRun& run, const std::vector<PendingCall>& calls) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  {
    auto insert = db_.cached(kInsertPausedRun);
    insert->bind(1, run.id);
    insert->bind(2, run.agent_name);
    insert->bind(3, session_or_default(run.session_id));
    insert->bind(4, run.turn_seq);
    insert->bind(5, run.state_json);
    insert->step();
  }
  for (const auto& call : calls) {
    auto insert = db_.cached(kInsertApproval);
    insert->bind(1, call.id);
    insert->bind(2, run.id);
    insert->bind(3, run.agent_name);
    insert->bind(4, session_or_default(run.session_id));
    insert->bind(5, run.turn_seq);
    insert->bind(6, call.call_id);
    insert->bind(7, call.tool);
    insert->bind(8, call.client_id);
    insert->bind(9, call.arguments_json);
    insert->bind(10, call.why);
    insert->step();
  }
  tx.commit();
}

std::vector<ApprovalRecord> SqliteBackend::list_approvals(const ApprovalQuery& query) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kListApprovals);
  select->bind(1, query.agent_name);
  select->bind(2, query.session_id ? std::optional(session_or_default(*query.session_id)) : std::nullopt);
  select->bind(3, static_cast<std::int64_t>(query.pending_only ? 1 : 0));
  select->bind(4, static_cast<std::int64_t>(std::min<std::size_t>(query.limit, std::numeric_limits<std::int32_t>::max())));
  std::vector<ApprovalRecord> records;
  while (select->step()) records.push_back(approval_at(*select));
  return records;
}

std::vector<ApprovalRecord> SqliteBackend::approvals_of_run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kApprovalsOfRun);
  select->bind(1, run_id);
  std::vector<ApprovalRecord> records;
  while (select->step()) records.push_back(approval_at(*select));
  return records;
}

std::optional<ApprovalRecord> SqliteBackend::find_approval(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kFindApproval);
  select->bind(1, id);
  if (!select->step()) return std::nullopt;
  return approval_at(*select);
}

bool SqliteBackend::decide_approval(const std::string& id, bool approved, const std::optional<std::string>& arguments_json,
                                    const std::string& reason, const std::string& decided_by) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool decided = false;
  {
    auto update = db_.cached(kDecideApproval);
    update->bind(1, id);
    update->bind(2, std::string(approved ? "approved" : "denied"));
    update->bind(3, arguments_json);
    update->bind(4, reason);
    update->bind(5, decided_by);
    decided = update->step();
  }
  tx.commit();
  return decided;
}

std::optional<PausedRun> SqliteBackend::claim_paused_run(const std::string& run_id, const std::string& holder) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  std::optional<PausedRun> claimed;
  {
    auto update = db_.cached(kClaimPausedRun);
    update->bind(1, run_id);
    update->bind(2, holder);
    if (update->step()) {
      claimed = PausedRun{update->column_text(0), update->column_text(1), update->column_text(2),
                          update->column_int64(3), update->column_text(4)};
    }
  }
  tx.commit();
  return claimed;
}

void SqliteBackend::finish_paused_run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  auto update = db_.cached(kFinishPausedRun);
  update->bind(1, run_id);
  update->step();
}

std::optional<std::string> SqliteBackend::waiting_run_on(const std::string& agent_name, const std::string& session_id) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kWaitingRunOn);
  select->bind(1, agent_name);
  select->bind(2, session_or_default(session_id));
  if (!select->step()) return std::nullopt;
  return select->column_text(0);
}

}  // namespace aurite::storage::sqlite
