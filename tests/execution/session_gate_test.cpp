// One run at a time on a session: the gate's lock in this process, and the lease in the
// database on both backends, with a clock the test moves (a wait of minutes takes
// milliseconds). Two gates on one database stand for two processes; the API tests run
// real `aurite serve` processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "aurite/common/error.hpp"
#include "aurite/execution/session_gate.hpp"
#include "storage/backend_fixture.hpp"
#include "support/manual_clock.hpp"

namespace aurite::execution {
namespace {

using ::testing::HasSubstr;
using testing::ManualClock;
using namespace std::chrono_literals;

// The real store, counting the heartbeats that found the lease still held.
class CountingLeases final : public storage::SessionLeaseStore {
 public:
  explicit CountingLeases(storage::SessionLeaseStore& real) : real_(real) {}
  bool try_take_lease(const std::string& a, const std::string& s, const std::string& h, std::int64_t now,
                      std::int64_t until) override {
    return real_.try_take_lease(a, s, h, now, until);
  }
  bool extend_lease(const std::string& a, const std::string& s, const std::string& h, std::int64_t until) override {
    const bool held = real_.extend_lease(a, s, h, until);
    if (held) {
      std::lock_guard lock(mutex_);
      ++extended_;
      extended_cv_.notify_all();
    }
    return held;
  }
  void release_lease(const std::string& a, const std::string& s, const std::string& h) override {
    real_.release_lease(a, s, h);
  }
  int extensions() {
    std::lock_guard lock(mutex_);
    return extended_;
  }
  bool wait_for_extensions(int count) {
    std::unique_lock lock(mutex_);
    return extended_cv_.wait_for(lock, 10s, [&] { return extended_ >= count; });
  }

 private:
  storage::SessionLeaseStore& real_;
  std::mutex mutex_;
  std::condition_variable extended_cv_;
  int extended_ = 0;
};

ErrorCode code_of(const std::function<void()>& call, std::string* message = nullptr) {
  try {
    call();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::kInternal;
}

class SessionGateTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    db_ = open();
  }
  storage::SessionLeaseStore& leases() { return *db_->leases(); }
  std::int64_t ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }

  std::unique_ptr<storage::StorageManager> db_;
  ManualClock clock_;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(SessionGateTest);

TEST_P(SessionGateTest, ARunOnAnotherProcessIsRefusedAtOnceWithReject) {
  SessionGate here(&leases(), {}, clock_);
  SessionGate there(&leases(), {}, clock_);
  SessionPass held = here.enter("agent", "s", OnBusy::kWait);
  ASSERT_TRUE(held.holds());
  const auto start = clock_.now();
  std::string message;
  EXPECT_EQ(code_of([&] { there.enter("agent", "s", OnBusy::kReject); }, &message), ErrorCode::kSessionBusy);
  EXPECT_THAT(message, HasSubstr("session 's' of agent 'agent' is busy"));
  EXPECT_EQ(clock_.since(start), 0ms);  // no poll, no pause
  // Another session, or the same session id of another agent, is free.
  EXPECT_TRUE(there.enter("agent", "t", OnBusy::kReject).holds());
  EXPECT_TRUE(there.enter("other", "s", OnBusy::kReject).holds());
}

TEST_P(SessionGateTest, AWaitingRunTakesTheSessionWhenTheHolderEnds) {
  SessionGate here(&leases(), {1h, 1h}, clock_);
  SessionGate there(&leases(), {1h, 1h}, clock_);
  auto held = std::make_unique<SessionPass>(here.enter("agent", "s", OnBusy::kWait));
  auto waiter = std::async(std::launch::async, [&] { return there.enter("agent", "s", OnBusy::kWait).holds(); });
  ASSERT_TRUE(clock_.wait_for_pauses(2));  // it is polling a lease that is held
  held.reset();
  EXPECT_TRUE(waiter.get());
}

TEST_P(SessionGateTest, AWaitEndsWithSessionBusyAfterTheConfiguredBound) {
  // A TTL longer than the wait: the holder's lease stays valid while the clock runs.
  SessionGate here(&leases(), {1h, 5min}, clock_);
  SessionGate there(&leases(), {1h, 5min}, clock_);
  SessionPass held = here.enter("agent", "s", OnBusy::kWait);
  const auto start = clock_.now();
  std::string message;
  EXPECT_EQ(code_of([&] { there.enter("agent", "s", OnBusy::kWait); }, &message), ErrorCode::kSessionBusy);
  EXPECT_THAT(message, HasSubstr("waited 300000 ms"));
  // Polled until the bound, not much after.
  EXPECT_GE(clock_.since(start), 5min);
  EXPECT_LT(clock_.since(start), 5min + 1s);
}

TEST_P(SessionGateTest, ACrashedHoldersLeaseIsTakenOverAfterItsTtl) {
  // A process that took the lease and died: nobody extends or releases it.
  const auto taken = clock_.now();
  ASSERT_TRUE(leases().try_take_lease("agent", "s", "crashed", ms(taken), ms(taken + 30s)));
  SessionGate gate(&leases(), {30s, 60s}, clock_);
  EXPECT_EQ(code_of([&] { gate.enter("agent", "s", OnBusy::kReject); }), ErrorCode::kSessionBusy);
  EXPECT_TRUE(gate.enter("agent", "s", OnBusy::kWait).holds());
  EXPECT_GE(clock_.since(taken), 30s);
  EXPECT_LT(clock_.since(taken), 31s);
}

TEST_P(SessionGateTest, TheHeartbeatKeepsALongRunsLeaseBeyondItsTtl) {
  CountingLeases counting(leases());
  SessionGate here(&counting, {300ms, 60s}, clock_);
  SessionPass held = here.enter("agent", "s", OnBusy::kWait);
  clock_.advance(10min);  // a model call far longer than one TTL
  // Two more beats: at least one of them read the clock after it moved.
  ASSERT_TRUE(counting.wait_for_extensions(counting.extensions() + 2));
  SessionGate there(&leases(), {300ms, 60s}, clock_);
  EXPECT_EQ(code_of([&] { there.enter("agent", "s", OnBusy::kReject); }), ErrorCode::kSessionBusy);
  EXPECT_FALSE(held.lost());
}

TEST_P(SessionGateTest, TheEndOfARunFreesTheSessionAtOnce) {
  SessionGate gate(&leases(), {}, clock_);
  { SessionPass held = gate.enter("agent", "", OnBusy::kWait); }
  EXPECT_TRUE(leases().try_take_lease("agent", "default", "next", ms(clock_.now()), ms(clock_.now() + 1s)));
}

TEST(SessionGateWithoutDatabase, RunsInOneProcessQueueOnTheSession) {
  SessionGate gate(nullptr, {30s, 60s});
  auto held = std::make_unique<SessionPass>(gate.enter("agent", "s", OnBusy::kWait));
  EXPECT_EQ(code_of([&] { gate.enter("agent", "s", OnBusy::kReject); }), ErrorCode::kSessionBusy);
  EXPECT_TRUE(gate.enter("agent", "t", OnBusy::kReject).holds());
  std::atomic<bool> entered{false};
  auto waiter = std::async(std::launch::async, [&] {
    SessionPass pass = gate.enter("agent", "s", OnBusy::kWait);
    entered = true;
    return pass.holds();
  });
  EXPECT_EQ(waiter.wait_for(50ms), std::future_status::timeout);  // still queued behind the holder
  EXPECT_FALSE(entered);
  held.reset();
  EXPECT_TRUE(waiter.get());
}

TEST(SessionGateWithoutDatabase, AWaitBeyondTheBoundIsSessionBusy) {
  SessionGate gate(nullptr, {30s, 20ms});
  SessionPass held = gate.enter("agent", "s", OnBusy::kWait);
  std::string message;
  EXPECT_EQ(code_of([&] { gate.enter("agent", "s", OnBusy::kWait); }, &message), ErrorCode::kSessionBusy);
  EXPECT_THAT(message, HasSubstr("waited 20 ms"));
}

TEST(SessionGateWithoutDatabase, OnBusyIsParsedFromItsTwoSpellingsOnly) {
  EXPECT_EQ(parse_on_busy("wait"), OnBusy::kWait);
  EXPECT_EQ(parse_on_busy("reject"), OnBusy::kReject);
  EXPECT_EQ(parse_on_busy("Reject"), std::nullopt);
  EXPECT_EQ(parse_on_busy(""), std::nullopt);
}

}  // namespace
}  // namespace aurite::execution
