// SqliteBackend as a SessionLeaseStore: each operation is one statement on the
// session_leases row, inside a write transaction (BEGIN IMMEDIATE), so two processes on one
// file never both see the lease free.
#include "storage/history_rules.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace aurite::storage::sqlite {
namespace {

// Inserts the lease, or takes it over when it expired or is already ours; a row comes back
// only when the lease is ours afterwards.
constexpr const char* kTakeLease =
    "INSERT INTO session_leases (agent_name, session_id, holder, expires_at) VALUES (?1, ?2, ?3, ?5)"
    " ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "  holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE session_leases.expires_at <= ?4 OR session_leases.holder = excluded.holder"
    " RETURNING holder";
constexpr const char* kExtendLease =
    "UPDATE session_leases SET expires_at = ?4"
    " WHERE agent_name = ?1 AND session_id = ?2 AND holder = ?3 RETURNING holder";
constexpr const char* kReleaseLease =
    "DELETE FROM session_leases WHERE agent_name = ?1 AND session_id = ?2 AND holder = ?3";

}  // namespace

bool SqliteBackend::try_take_lease(const std::string& agent_name, const std::string& session_id,
                                   const std::string& holder, std::int64_t now_ms, std::int64_t expires_at_ms) {
  check_lease_args(agent_name, holder);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool taken = false;
  {
    auto take = db_.cached(kTakeLease);
    take->bind(1, agent_name);
    take->bind(2, session);
    take->bind(3, holder);
    take->bind(4, now_ms);
    take->bind(5, expires_at_ms);
    taken = take->step();
  }
  tx.commit();
  return taken;
}

bool SqliteBackend::extend_lease(const std::string& agent_name, const std::string& session_id,
                                 const std::string& holder, std::int64_t expires_at_ms) {
  check_lease_args(agent_name, holder);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool held = false;
  {
    auto extend = db_.cached(kExtendLease);
    extend->bind(1, agent_name);
    extend->bind(2, session);
    extend->bind(3, holder);
    extend->bind(4, expires_at_ms);
    held = extend->step();
  }
  tx.commit();
  return held;
}

void SqliteBackend::release_lease(const std::string& agent_name, const std::string& session_id,
                                  const std::string& holder) {
  check_lease_args(agent_name, holder);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  auto release = db_.cached(kReleaseLease);
  release->bind(1, agent_name);
  release->bind(2, session);
  release->bind(3, holder);
  release->step();
}

}  // namespace aurite::storage::sqlite
