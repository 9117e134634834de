// common/cancellation — asking work in flight on other threads to stop: a run cancelled
// by a person (Ctrl-C, DELETE /runs/{id}) abandons its model request and tool calls.
//
// Whoever blocks on something subscribes a way to wake itself (a curl wakeup, a condition
// variable's notify) for as long as it blocks; cancel() runs each subscriber once.
// Cancelling is for good.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace aurite {

class Cancellation {
 public:
  class Subscription;

  Cancellation() = default;
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  // Sets the flag, then wakes every subscriber (on this thread). Idempotent.
  void cancel();
  bool cancelled() const { return cancelled_.load(); }

  // Calls `wake` on cancel() while the subscription lives, or at once when cancelled
  // before. `wake` runs under this object's lock: it must be quick and must not
  // subscribe or unsubscribe here.
  [[nodiscard]] Subscription on_cancel(std::function<void()> wake);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;  // guards wakers_, and is held while they run
  std::map<std::uint64_t, std::function<void()>> wakers_;
  std::uint64_t next_id_ = 0;
};

// Unsubscribes when it ends; a wake running then finishes first. An empty one (of a null
// Cancellation) does nothing.
class Cancellation::Subscription {
 public:
  Subscription() = default;
  Subscription(Cancellation* owner, std::uint64_t id) : owner_(owner), id_(id) {}
  ~Subscription() { reset(); }
  Subscription(Subscription&& other) noexcept : owner_(other.owner_), id_(other.id_) { other.owner_ = nullptr; }
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void reset();

 private:
  Cancellation* owner_ = nullptr;
  std::uint64_t id_ = 0;
};

// A subscription to `cancel` when there is one (null: nothing to watch).
inline Cancellation::Subscription watch(Cancellation* cancel, std::function<void()> wake) {
  return cancel != nullptr ? cancel->on_cancel(std::move(wake)) : Cancellation::Subscription{};
}

}  // namespace aurite
