// Ctrl-C during a run: the first cancels it (the model request and tool calls in flight
// are abandoned, what was stored stays, the command exits 130); a second exits at once.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace aurite::cli {

class CancelOnInterrupt {
 public:
  // Blocks SIGINT in this thread and in every thread started after it (make it before
  // the host starts any), and watches for it on a thread of its own.
  explicit CancelOnInterrupt(std::function<void()> cancel);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

  // A run to cancel from now on (set once it is known).
  void set_cancel(std::function<void()> cancel);

 private:
  std::mutex mutex_;
  std::function<void()> cancel_;  // guarded by mutex_
  std::atomic<bool> done_{false};
  sigset_t previous_{};
  std::thread watcher_;
};

}  // namespace aurite::cli
