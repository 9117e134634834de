#include "cli/interrupt.hpp"

#include <pthread.h>
#include <unistd.h>

#include <iostream>

#include "cli/cli_context.hpp"

namespace aurite::cli {
namespace {

sigset_t interrupt_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

CancelOnInterrupt::CancelOnInterrupt(std::function<void()> cancel) : cancel_(std::move(cancel)) {
  const sigset_t set = interrupt_set();
  ::pthread_sigmask(SIG_BLOCK, &set, &previous_);
  watcher_ = std::thread([this, set] {
    int interrupts = 0;
    while (true) {
      int signal = 0;
      ::sigwait(&set, &signal);
      if (done_) return;
      if (++interrupts > 1) {
        static constexpr char kBye[] = "\ninterrupted again: exiting at once\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, kBye, sizeof kBye - 1);
        std::_Exit(kExitCancelled);
      }
      std::cerr << "\ncancelling the run (Ctrl-C again to exit at once)...\n";
      std::function<void()> cancel;
      {
        std::lock_guard lock(mutex_);
        cancel = cancel_;
      }
      if (cancel) cancel();
    }
  });
}

void CancelOnInterrupt::set_cancel(std::function<void()> cancel) {
  std::lock_guard lock(mutex_);
  cancel_ = std::move(cancel);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  done_ = true;
  ::pthread_kill(watcher_.native_handle(), SIGINT);  // wakes its sigwait; it sees done_
  watcher_.join();
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace aurite::cli
