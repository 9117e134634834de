// PgBackend as an ApprovalStore. A decision and a claim are each one conditional UPDATE:
// a second decider waits on the row lock, then finds the row no longer pending. A claim
// runs after its caller's decision committed, so the last decision of a turn always sees
// none pending and exactly one claim succeeds.
#include "storage/history_rules.hpp"
#include "storage/postgres/pg_backend.hpp"

namespace aurite::storage::postgres {
namespace {

#define AURITE_ISO(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define AURITE_APPROVAL_COLUMNS                                                                               \
  "SELECT id, run_id, agent_name, session_id, turn_seq, call_id, tool, client_id, arguments, why, status, " \
  AURITE_ISO("created_at") ", decided_arguments, COALESCE(reason, ''), COALESCE(decided_by, ''), "          \
  "COALESCE(" AURITE_ISO("decided_at") ", '') FROM approvals"

constexpr Query kInsertPausedRun{
    "insert_paused_run",
    "INSERT INTO paused_runs (id, agent_name, session_id, turn_seq, state) VALUES ($1, $2, $3, $4::bigint, $5)"};
constexpr Query kInsertApproval{
    "insert_approval",
    "INSERT INTO approvals (id, run_id, agent_name, session_id, turn_seq, call_id, tool, client_id, arguments, why)"
    " VALUES ($1, $2, $3, $4, $5::bigint, $6, $7, $8, $9, $10)"};
// $1/$2 NULL: any agent / any session.
constexpr Query kListApprovals{
    "list_approvals", AURITE_APPROVAL_COLUMNS
    " WHERE ($1::text IS NULL OR agent_name = $1) AND ($2::text IS NULL OR session_id = $2)"
    "  AND (NOT $3::boolean OR status = 'pending')"
    " ORDER BY created_at DESC, id LIMIT $4::bigint"};
constexpr Query kApprovalsOfRun{"approvals_of_run", AURITE_APPROVAL_COLUMNS " WHERE run_id = $1 ORDER BY created_at, id"};
constexpr Query kFindApproval{"find_approval", AURITE_APPROVAL_COLUMNS " WHERE id = $1"};
constexpr Query kDecideApproval{
    "decide_approval",
    "UPDATE approvals SET status = $2, decided_arguments = $3, reason = $4, decided_by = $5, decided_at = now()"
    " WHERE id = $1 AND status = 'pending' RETURNING id"};
constexpr Query kClaimPausedRun{
    "claim_paused_run",
    "UPDATE paused_runs SET status = 'resuming', resumed_by = $2"
    " WHERE id = $1 AND status = 'awaiting'"
    "  AND NOT EXISTS (SELECT 1 FROM approvals WHERE run_id = $1 AND status = 'pending')"
    " RETURNING id, agent_name, session_id, turn_seq, state"};
constexpr Query kFinishPausedRun{"finish_paused_run", "UPDATE paused_runs SET status = 'done' WHERE id = $1"};
constexpr Query kWaitingRunOn{
    "waiting_run_on",
    "SELECT id FROM paused_runs WHERE agent_name = $1 AND session_id = $2 AND status = 'awaiting' LIMIT 1"};

#undef AURITE_APPROVAL_COLUMNS
#undef AURITE_ISO

ApprovalRecord approval_at(const Result& rows, int row) {
  ApprovalRecord record;
  record.id = text_at(rows, row, 0);
  record.run_id = text_at(rows, row, 1);
  record.agent_name = text_at(rows, row, 2);
  record.session_id = text_at(rows, row, 3);
  record.turn_seq = int64_at(rows, row, 4);
  record.call_id = text_at(rows, row, 5);
  record.tool = text_at(rows, row, 6);
  record.client_id = text_at(rows, row, 7);
  record.arguments_json = text_at(rows, row, 8);
  record.why = text_at(rows, row, 9);
  record.status = text_at(rows, row, 10);
  record.created_at = text_at(rows, row, 11);
  if (PQgetisnull(rows.get(), row, 12) == 0) record.decided_arguments_json = text_at(rows, row, 12);
  record.reason = text_at(rows, row, 13);
  record.decided_by = text_at(rows, row, 14);
  record.decided_at = text_at(rows, row, 15);
  return record;
}

std::vector<ApprovalRecord> approvals_in(const Result& rows) {
  std::vector<ApprovalRecord> records;
  for (int row = 0; row < PQntuples(rows.get()); ++row) records.push_back(approval_at(rows, row));
  return records;
}

}  // namespace

void PgBackend::pause_run(const PausedRun& run, const std::vector<PendingCall>& calls) {
  const std::string session = session_or_default(run.session_id);
  const std::string seq = std::to_string(run.turn_seq);
  // Safe to repeat: a lost commit that did happen makes the second try fail on the ids,
  // which is reported, never a second copy.
  with_connection(true, [&](Connection& conn) {
    Transaction tx(conn);
    conn.exec(kInsertPausedRun, {run.id, run.agent_name, session, seq, run.state_json});
    for (const auto& call : calls) {
      conn.exec(kInsertApproval,
                {call.id, run.id, run.agent_name, session, seq, call.call_id, call.tool, call.client_id,
                 call.arguments_json, call.why});
    }
    tx.commit();
    return 0;
  });
}

std::vector<ApprovalRecord> PgBackend::list_approvals(const ApprovalQuery& query) {
  const std::optional<std::string> session =
      query.session_id ? std::optional(session_or_default(*query.session_id)) : std::nullopt;
  const std::string limit = std::to_string(query.limit);
  return with_connection(true, [&](Connection& conn) {
    const Param agent = query.agent_name ? Param(*query.agent_name) : Param(nullptr);
    const Param in_session = session ? Param(*session) : Param(nullptr);
    const std::string pending_only = query.pending_only ? "true" : "false";
    return approvals_in(conn.exec(kListApprovals, {agent, in_session, pending_only, limit}));
  });
}

std::vector<ApprovalRecord> PgBackend::approvals_of_run(const std::string& run_id) {
  return with_connection(true, [&](Connection& conn) { return approvals_in(conn.exec(kApprovalsOfRun, {run_id})); });
}

std::optional<ApprovalRecord> PgBackend::find_approval(const std::string& id) {
  return with_connection(true, [&](Connection& conn) -> std::optional<ApprovalRecord> {
    const Result rows = conn.exec(kFindApproval, {id});
    if (PQntuples(rows.get()) == 0) return std::nullopt;
    return approval_at(rows, 0);
  });
}

bool PgBackend::decide_approval(const std::string& id, bool approved, const std::optional<std::string>& arguments_json,
                                const std::string& reason, const std::string& decided_by) {
  // Not repeated on a lost connection: the decision may have committed, and the repeat
  // would report it as somebody else's.
  return with_connection(false, [&](Connection& conn) {
    const std::string status = approved ? "approved" : "denied";
    const Param arguments = arguments_json ? Param(*arguments_json) : Param(nullptr);
    return PQntuples(conn.exec(kDecideApproval, {id, status, arguments, reason, decided_by}).get()) > 0;
  });
}

std::optional<PausedRun> PgBackend::claim_paused_run(const std::string& run_id, const std::string& holder) {
  return with_connection(false, [&](Connection& conn) -> std::optional<PausedRun> {
    const Result rows = conn.exec(kClaimPausedRun, {run_id, holder});
    if (PQntuples(rows.get()) == 0) return std::nullopt;
    return PausedRun{text_at(rows, 0, 0), text_at(rows, 0, 1), text_at(rows, 0, 2), int64_at(rows, 0, 3),
                     text_at(rows, 0, 4)};
  });
}

void PgBackend::finish_paused_run(const std::string& run_id) {
  with_connection(true, [&](Connection& conn) {
    conn.exec(kFinishPausedRun, {run_id});
    return 0;
  });
}

std::optional<std::string> PgBackend::waiting_run_on(const std::string& agent_name, const std::string& session_id) {
  const std::string session = session_or_default(session_id);
  return with_connection(true, [&](Connection& conn) -> std::optional<std::string> {
    const Result rows = conn.exec(kWaitingRunOn, {agent_name, session});
    if (PQntuples(rows.get()) == 0) return std::nullopt;
    return text_at(rows, 0, 0);
  });
}

}  // namespace aurite::storage::postgres
