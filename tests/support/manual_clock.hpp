// A WallClock for tests of code that polls a lease: time moves only when a poll pauses
// (by the pause asked for) or the test advances it, so a wait of minutes takes
// milliseconds and a test can tell that a poll has waited.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "aurite/common/wall_clock.hpp"

namespace aurite::testing {

class ManualClock final : public WallClock {
 public:
  std::chrono::system_clock::time_point now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void pause(std::chrono::milliseconds duration) override {
    {
      std::lock_guard lock(mutex_);
      now_ += duration;
      ++pauses_;
    }
    paused_.notify_all();
    std::this_thread::yield();
  }
  void advance(std::chrono::milliseconds duration) {
    std::lock_guard lock(mutex_);
    now_ += duration;
  }
  // Waits (at most 10 s of real time) until a poll has paused `count` times.
  bool wait_for_pauses(int count) {
    std::unique_lock lock(mutex_);
    return paused_.wait_for(lock, std::chrono::seconds(10), [&] { return pauses_ >= count; });
  }
  int pauses() {
    std::lock_guard lock(mutex_);
    return pauses_;
  }
  std::chrono::milliseconds since(std::chrono::system_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now() - start);
  }

 private:
  std::mutex mutex_;
  std::condition_variable paused_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::time_point(std::chrono::seconds(1'900'000'000));
  int pauses_ = 0;
};

}  // namespace aurite::testing
