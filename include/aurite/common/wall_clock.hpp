// common/wall_clock — time as code that polls a lease row sees it, and who holds one.
//
// Leases (a session's, a secret's) are rows other processes and machines read, so their
// expiries are wall time, compared across hosts. Code that waits for one polls; the
// clock also gives the pause between polls, so a test moves time instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace aurite {

// Implementations are thread-safe (a heartbeat reads now() on a thread of its own).
class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual std::chrono::system_clock::time_point now() = 0;
  virtual void pause(std::chrono::milliseconds duration) = 0;
};

// The system clock and std::this_thread::sleep_for.
WallClock& system_wall_clock();

// Milliseconds since the Unix epoch, as lease rows keep times.
std::int64_t epoch_ms(std::chrono::system_clock::time_point time);

// A lease holder unique among every holder of every process on a database: host, pid,
// a random number drawn once per process (pids repeat across containers and restarts),
// and a counter.
std::string new_lease_holder();

}  // namespace aurite
