// storage/session_lease_store — who may write a session now: one lease row per
// (agent, session), held by one run at a time, across threads, processes and servers.
//
// A session is one conversation; two runs writing it at once would interleave their turns
// (a tool_use of one followed by the user turn of the other, which models refuse). A run
// takes the session's lease before it loads history and gives it back when done. The
// lease expires unless its holder extends it, so a holder that crashed frees the session
// after one time-to-live.
//
// Times are given by the caller (milliseconds since the Unix epoch, from its clock), never
// read from the database: the waiting and the expiry live in one place above this store
// (execution's session gate), and a test moves time without sleeping. Processes sharing a
// database must have clocks that agree to well within the time-to-live (NTP does).
#pragma once

#include <cstdint>
#include <string>

namespace aurite::storage {

// Implementations are thread-safe, and several processes may use the same database at
// once; each method is one statement, atomic on its own. Every method throws
// aurite::Error as HistoryStore documents (kInvalidArgument for an empty agent name or
// holder, kUnavailable, kTimeout). An empty session id means kDefaultSession.
class SessionLeaseStore {
 public:
  virtual ~SessionLeaseStore() = default;

  // Gives the lease to `holder` until `expires_at_ms` when nobody holds it, when its
  // holder's lease expired (expires_at <= now_ms), or when `holder` holds it already.
  // Returns whether `holder` holds it now. Two holders racing get one winner.
  virtual bool try_take_lease(const std::string& agent_name, const std::string& session_id,
                              const std::string& holder, std::int64_t now_ms, std::int64_t expires_at_ms) = 0;

  // Moves the expiry of `holder`'s lease to `expires_at_ms`. Returns false when `holder`
  // does not hold it (it expired and another holder took it, or it was released).
  virtual bool extend_lease(const std::string& agent_name, const std::string& session_id,
                            const std::string& holder, std::int64_t expires_at_ms) = 0;

  // Removes `holder`'s lease; a lease held by someone else stays. Idempotent.
  virtual void release_lease(const std::string& agent_name, const std::string& session_id,
                             const std::string& holder) = 0;
};

}  // namespace aurite::storage
