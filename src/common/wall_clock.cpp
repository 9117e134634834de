#include "aurite/common/wall_clock.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>

#include <fmt/format.h>

namespace aurite {
namespace {

class SystemWallClock final : public WallClock {
 public:
  std::chrono::system_clock::time_point now() override { return std::chrono::system_clock::now(); }
  void pause(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

WallClock& system_wall_clock() {
  static SystemWallClock clock;
  return clock;
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::string new_lease_holder() {
  static const std::string process = [] {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device random;
    return fmt::format("{}/{}/{:08x}{:08x}", host, getpid(), random(), random());
  }();
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{}/{}", process, ++counter);
}

}  // namespace aurite
