// PgBackend as a SessionLeaseStore: each operation is one statement on the session_leases
// row; the row lock taken by the upsert decides between holders racing on another server.
// A lease row rather than an advisory lock: it outlives no connection it should not, works
// through connection poolers, and is the same on both backends.
#include "storage/history_rules.hpp"
#include "storage/postgres/pg_backend.hpp"

namespace aurite::storage::postgres {
namespace {

// Inserts the lease, or takes it over when it expired or is already ours; a row comes back
// only when the lease is ours afterwards.
constexpr Query kTakeLease{
    "take_lease",
    "INSERT INTO session_leases AS l (agent_name, session_id, holder, expires_at)"
    " VALUES ($1, $2, $3, $5::bigint)"
    " ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "  holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE l.expires_at <= $4::bigint OR l.holder = excluded.holder"
    " RETURNING holder"};
constexpr Query kExtendLease{
    "extend_lease",
    "UPDATE session_leases SET expires_at = $4::bigint"
    " WHERE agent_name = $1 AND session_id = $2 AND holder = $3 RETURNING holder"};
constexpr Query kReleaseLease{
    "release_lease", "DELETE FROM session_leases WHERE agent_name = $1 AND session_id = $2 AND holder = $3"};

}  // namespace

bool PgBackend::try_take_lease(const std::string& agent_name, const std::string& session_id,
                               const std::string& holder, std::int64_t now_ms, std::int64_t expires_at_ms) {
  check_lease_args(agent_name, holder);
  const std::string session = session_or_default(session_id);
  // Safe to repeat on a new connection: taking a lease we already hold succeeds again.
  // Two first inserts racing: ON CONFLICT waits for the other's row and then decides.
  return with_connection(true, [&](Connection& conn) {
    const Result rows =
        conn.exec(kTakeLease, {agent_name, session, holder, std::to_string(now_ms), std::to_string(expires_at_ms)});
    return PQntuples(rows.get()) > 0;
  });
}

bool PgBackend::extend_lease(const std::string& agent_name, const std::string& session_id,
                             const std::string& holder, std::int64_t expires_at_ms) {
  check_lease_args(agent_name, holder);
  const std::string session = session_or_default(session_id);
  return with_connection(true, [&](Connection& conn) {
    return PQntuples(conn.exec(kExtendLease, {agent_name, session, holder, std::to_string(expires_at_ms)}).get()) > 0;
  });
}

void PgBackend::release_lease(const std::string& agent_name, const std::string& session_id,
                              const std::string& holder) {
  check_lease_args(agent_name, holder);
  const std::string session = session_or_default(session_id);
  with_connection(true, [&](Connection& conn) {
    conn.exec(kReleaseLease, {agent_name, session, holder});
    return 0;
  });
}

}  // namespace aurite::storage::postgres
