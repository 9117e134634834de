#include "aurite/execution/session_gate.hpp"

#include <algorithm>
#include <atomic>
#include <stop_token>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "aurite/storage/history_store.hpp"

namespace aurite::execution {
namespace {

using std::chrono::milliseconds;

// The first pause between polls of a busy lease, doubled up to the cap: a short run ahead
// is noticed at once, a long one costs a query every half second.
constexpr milliseconds kFirstPoll{10};
constexpr milliseconds kMaxPoll{500};

Error busy(const std::string& agent, const std::string& session, const std::string& why) {
  return Error(ErrorCode::kSessionBusy,
               fmt::format("session '{}' of agent '{}' is busy: another run holds it{}", session, agent, why));
}

}  // namespace

std::optional<OnBusy> parse_on_busy(std::string_view text) {
  if (text == "wait") return OnBusy::kWait;
  if (text == "reject") return OnBusy::kReject;
  return std::nullopt;
}


// What a pass holds: the lock here, the lease (when there is a store) and its heartbeat.
struct SessionPass::Held {
  Held(SessionGate& gate, SessionGate::Key key, std::string holder)
      : gate(gate), key(std::move(key)), holder(std::move(holder)) {}

  ~Held() {
    if (heartbeat.joinable()) {
      heartbeat.request_stop();
      heartbeat.join();
    }
    if (leased) {
      try {
        gate.leases_->release_lease(key.first, key.second, holder);
      } catch (const std::exception& e) {
        spdlog::warn("session '{}' of agent '{}': the lease was not released ({}); it expires in {} ms", key.second,
                     key.first, e.what(), gate.options_.lease_ttl.count());
      }
    }
    gate.unlock_here(key);
  }

  void start_heartbeat() {
    heartbeat = std::jthread([this](std::stop_token stop) { beat(stop); });
  }

  // Extends the lease every third of its TTL, so two missed beats still leave it held.
  void beat(const std::stop_token& stop) {
    const milliseconds interval = std::max(milliseconds(1), gate.options_.lease_ttl / 3);
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait_for(lock, stop, interval, [] { return false; });
      if (stop.stop_requested()) return;
      try {
        const auto until = epoch_ms(gate.clock_.now() + gate.options_.lease_ttl);
        if (!gate.leases_->extend_lease(key.first, key.second, holder, until) && !lost.exchange(true)) {
          spdlog::error("session '{}' of agent '{}': the lease expired and another run took it", key.second,
                        key.first);
        }
      } catch (const std::exception& e) {  // the next beat tries again; the lease lasts a TTL
        spdlog::warn("session '{}' of agent '{}': the lease was not extended: {}", key.second, key.first, e.what());
      }
    }
  }

  SessionGate& gate;
  const SessionGate::Key key;
  const std::string holder;
  bool leased = false;
  std::atomic<bool> lost{false};
  std::jthread heartbeat;  // last: stopped and joined before the rest goes
};

SessionPass::SessionPass() noexcept = default;
SessionPass::SessionPass(std::unique_ptr<Held> held) noexcept : held_(std::move(held)) {}
SessionPass::~SessionPass() = default;
SessionPass::SessionPass(SessionPass&& other) noexcept = default;
SessionPass& SessionPass::operator=(SessionPass&& other) noexcept = default;
bool SessionPass::lost() const noexcept { return held_ && held_->lost; }

SessionGate::SessionGate(storage::SessionLeaseStore* leases, SessionGateOptions options, GateClock& clock)
    : leases_(leases), options_(options), clock_(clock) {}

SessionGate::~SessionGate() = default;

SessionPass SessionGate::enter(const std::string& agent_name, const std::string& session_id, OnBusy on_busy) {
  Key key{agent_name, session_id.empty() ? storage::kDefaultSession : session_id};
  const auto started = std::chrono::steady_clock::now();
  lock_here(key, on_busy);
  // From here the pass owns the lock, so a failure below gives it back.
  auto held = std::make_unique<SessionPass::Held>(*this, key, new_lease_holder());
  if (leases_) {
    // One wait in all: the time spent queued here counts against it.
    const auto queued = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    take_lease(key, held->holder, on_busy, std::max(milliseconds(0), options_.wait - queued));
    held->leased = true;
    held->start_heartbeat();
  }
  return SessionPass(std::move(held));
}

void SessionGate::lock_here(const Key& key, OnBusy on_busy) {
  std::unique_lock lock(mutex_);
  if (busy_.count(key) != 0) {
    if (on_busy == OnBusy::kReject) throw busy(key.first, key.second, "");
    const bool freed =
        freed_.wait_for(lock, options_.wait, [&] { return busy_.count(key) == 0; });
    if (!freed) throw busy(key.first, key.second, fmt::format(" (waited {} ms)", options_.wait.count()));
  }
  busy_.insert(key);
}

void SessionGate::unlock_here(const Key& key) noexcept {
  {
    std::lock_guard lock(mutex_);
    busy_.erase(key);
  }
  freed_.notify_all();
}

void SessionGate::take_lease(const Key& key, const std::string& holder, OnBusy on_busy, milliseconds wait) {
  const auto deadline = clock_.now() + wait;
  milliseconds pause = kFirstPoll;
  while (true) {
    const auto now = clock_.now();
    if (leases_->try_take_lease(key.first, key.second, holder, epoch_ms(now), epoch_ms(now + options_.lease_ttl))) {
      return;
    }
    if (on_busy == OnBusy::kReject) throw busy(key.first, key.second, " (on another server or process)");
    if (now >= deadline) {
      throw busy(key.first, key.second, fmt::format(" on another server or process (waited {} ms)", options_.wait.count()));
    }
    clock_.pause(std::min(pause, std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1)));
    pause = std::min(pause * 2, kMaxPoll);
  }
}

}  // namespace aurite::execution
