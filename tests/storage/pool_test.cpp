// The connection pool, without a database: capacity, waiting with a deadline, reuse, and
// replacing what fails its health check.
#include "storage/pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace aurite::testing {
namespace {

using namespace std::chrono_literals;

struct Fake {
  int id;
  bool healthy = true;
};

struct Counters {
  std::atomic<int> opened{0};
  std::atomic<bool> fail_next{false};
};

storage::Pool<Fake> make_pool(Counters& counters, std::size_t capacity, std::chrono::milliseconds wait) {
  return storage::Pool<Fake>(
      capacity, wait,
      [&counters] {
        if (counters.fail_next.exchange(false)) throw Error(ErrorCode::kUnavailable, "cannot open");
        return std::make_unique<Fake>(Fake{++counters.opened});
      },
      [](Fake& f) { return f.healthy; }, "fake://db");
}

TEST(StoragePool, ReusesAReturnedObject) {
  Counters counters;
  auto pool = make_pool(counters, 2, 100ms);
  int first_id = 0;
  {
    auto lease = pool.acquire();
    first_id = lease->id;
  }
  auto again = pool.acquire();
  EXPECT_EQ(again->id, first_id);
  EXPECT_EQ(counters.opened, 1);
}

TEST(StoragePool, TimesOutWhenEveryObjectIsLeased) {
  Counters counters;
  auto pool = make_pool(counters, 2, 50ms);
  auto a = pool.acquire();
  auto b = pool.acquire();
  const auto start = std::chrono::steady_clock::now();
  try {
    pool.acquire();
    FAIL() << "a third lease was handed out from a pool of two";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
    EXPECT_NE(std::string(e.what()).find("fake://db"), std::string::npos);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(pool.open_count(), 2u);
}

TEST(StoragePool, WaiterGetsTheObjectReleasedByAnotherThread) {
  Counters counters;
  auto pool = make_pool(counters, 1, 5s);
  auto held = std::make_unique<storage::Pool<Fake>::Lease>(pool.acquire());
  auto waiter = std::async(std::launch::async, [&] { return pool.acquire()->id; });
  EXPECT_EQ(waiter.wait_for(20ms), std::future_status::timeout);
  held.reset();
  EXPECT_EQ(waiter.get(), 1);
  EXPECT_EQ(counters.opened, 1);
}

TEST(StoragePool, StatsCountLeasedIdleAndWaiting) {
  Counters counters;
  auto pool = make_pool(counters, 2, 5s);
  auto first = std::make_unique<storage::Pool<Fake>::Lease>(pool.acquire());
  {
    auto second = pool.acquire();
    const auto both = pool.stats();
    EXPECT_EQ(both.in_use, 2u);
    EXPECT_EQ(both.idle, 0u);
    EXPECT_EQ(both.capacity, 2u);
  }
  auto held = std::make_unique<storage::Pool<Fake>::Lease>(pool.acquire());
  auto waiter = std::async(std::launch::async, [&] { return pool.acquire()->id; });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (pool.stats().waiting == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_EQ(pool.stats().waiting, 1u);
  held.reset();
  waiter.get();
  first.reset();
  const auto after = pool.stats();
  EXPECT_EQ(after.in_use, 0u);
  EXPECT_EQ(after.idle, 2u);
  EXPECT_EQ(after.waiting, 0u);
}

TEST(StoragePool, ReplacesAnIdleObjectThatFailsTheHealthCheck) {
  Counters counters;
  auto pool = make_pool(counters, 1, 100ms);
  {
    auto lease = pool.acquire();
    lease->healthy = false;  // e.g. the server restarted while it sat idle
  }
  auto lease = pool.acquire();
  EXPECT_EQ(lease->id, 2);
  EXPECT_EQ(pool.open_count(), 1u);
}

TEST(StoragePool, FailedOpenFreesItsSlot) {
  Counters counters;
  auto pool = make_pool(counters, 1, 100ms);
  counters.fail_next = true;
  EXPECT_THROW(pool.acquire(), Error);
  EXPECT_EQ(pool.open_count(), 0u);
  EXPECT_EQ(pool.acquire()->id, 1);
}

}  // namespace
}  // namespace aurite::testing
