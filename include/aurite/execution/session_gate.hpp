// execution/session_gate — one run at a time on a session.
//
// A session is one conversation: a run loads its history, then appends its turns one by
// one. Two runs on the same session at once would interleave their turns (two user turns
// in a row, or one run's user turn between the other's tool_use and tool_result, which
// models refuse). So an agent run that includes history first passes the gate of its
// (agent, session):
//   - in this process, a lock per (agent, session), so runs here queue without polling;
//   - with a SessionLeaseStore (the database), its lease row as well, so runs in other
//     processes and on other servers queue too. The lease is extended by a heartbeat every
//     third of its time-to-live while the run goes on (a model call can outlast one TTL);
//     a holder that crashed stops extending it, and the session is free one TTL later.
// A busy session is waited for, polling with backoff, up to `wait` (then kSessionBusy), or
// refused at once with OnBusy::kReject.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "aurite/common/wall_clock.hpp"
#include "aurite/storage/session_lease_store.hpp"

namespace aurite::execution {

// What a run does when its session is held by another run.
enum class OnBusy { kWait, kReject };

// "wait" or "reject"; nullopt for anything else.
std::optional<OnBusy> parse_on_busy(std::string_view text);

// Time as the gate sees it (common/wall_clock.hpp): the system clock by default; a test
// moves time instead of sleeping.
using GateClock = WallClock;

inline GateClock& system_gate_clock() { return system_wall_clock(); }

struct SessionGateOptions {
  // How long a lease lasts without a heartbeat: the time a crashed holder keeps its
  // session. AURITE_SESSION_LEASE_TTL [30 s].
  std::chrono::milliseconds lease_ttl{30'000};
  // How long a run waits for a busy session before Error(kSessionBusy).
  // AURITE_SESSION_WAIT [60 s].
  std::chrono::milliseconds wait{60'000};
};

class SessionGate;

// The right to run on one session, held until destroyed: the heartbeat stops, the lease
// row is deleted (a failure to delete only logs: the lease then expires) and the next run
// in this process is woken. Move-only; an empty pass holds nothing.
class SessionPass {
 public:
  SessionPass() noexcept;
  ~SessionPass();
  SessionPass(SessionPass&& other) noexcept;
  SessionPass& operator=(SessionPass&& other) noexcept;
  SessionPass(const SessionPass&) = delete;
  SessionPass& operator=(const SessionPass&) = delete;

  bool holds() const noexcept { return held_ != nullptr; }

  // Whether a heartbeat found the lease taken by another holder (this process stalled for
  // longer than the TTL). Logged as an error when it happens.
  bool lost() const noexcept;

 private:
  friend class SessionGate;
  struct Held;
  explicit SessionPass(std::unique_ptr<Held> held) noexcept;
  std::unique_ptr<Held> held_;
};

// Thread-safe. `leases` may be null (no database): then only runs in this process are kept
// apart. `leases` and `clock` must outlive the gate and every pass it gave.
class SessionGate {
 public:
  explicit SessionGate(storage::SessionLeaseStore* leases, SessionGateOptions options = {},
                       GateClock& clock = system_gate_clock());
  ~SessionGate();
  SessionGate(const SessionGate&) = delete;
  SessionGate& operator=(const SessionGate&) = delete;

  // Blocks until (agent, session) is free here and its lease is ours, and returns the pass.
  // An empty session id means storage::kDefaultSession. Throws Error(kSessionBusy) naming
  // the agent and session when it is busy and `on_busy` is kReject, or still busy after
  // options.wait; what the lease store throws (kUnavailable, ...) when it cannot be asked.
  // Nothing stays held when it throws.
  SessionPass enter(const std::string& agent_name, const std::string& session_id, OnBusy on_busy);

  const SessionGateOptions& options() const noexcept { return options_; }

 private:
  using Key = std::pair<std::string, std::string>;
  friend struct SessionPass::Held;

  void lock_here(const Key& key, OnBusy on_busy);
  void unlock_here(const Key& key) noexcept;
  void take_lease(const Key& key, const std::string& holder, OnBusy on_busy, std::chrono::milliseconds wait);

  storage::SessionLeaseStore* leases_;
  const SessionGateOptions options_;
  GateClock& clock_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::set<Key> busy_;  // sessions held by a run of this process
};

}  // namespace aurite::execution
