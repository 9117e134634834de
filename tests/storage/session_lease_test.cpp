// The session lease store on both backends: one holder at a time, a lease that expires
// unless extended, release by its holder only. Times are passed in, so expiry is tested
// by naming a later time instead of waiting for it.
#include <gtest/gtest.h>

#include <functional>

#include "aurite/common/error.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::testing {
namespace {

class SessionLeaseTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    db_ = open();
    leases_ = db_->leases();
    ASSERT_NE(leases_, nullptr);
  }

  bool take(const std::string& holder, std::int64_t now, std::int64_t until, const std::string& session = "s") {
    return leases_->try_take_lease("agent", session, holder, now, until);
  }

  std::unique_ptr<storage::StorageManager> db_;
  storage::SessionLeaseStore* leases_ = nullptr;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(SessionLeaseTest);


TEST_P(SessionLeaseTest, ASecondHolderIsRefusedUntilTheLeaseExpires) {
  EXPECT_TRUE(take("a", 1000, 2000));
  EXPECT_FALSE(take("b", 1500, 2500));
  EXPECT_FALSE(take("b", 1999, 2999));
  EXPECT_TRUE(take("a", 1500, 2500));  // taking a lease already held is harmless
  EXPECT_TRUE(take("b", 2500, 3500));  // expired: a crashed holder frees the session
  EXPECT_FALSE(take("a", 2600, 3600));
  // The holder that lost it cannot extend it back.
  EXPECT_FALSE(leases_->extend_lease("agent", "s", "a", 9000));
  EXPECT_FALSE(take("c", 3000, 4000));
}

TEST_P(SessionLeaseTest, AHeartbeatKeepsTheLeasePastItsFirstExpiry) {
  EXPECT_TRUE(take("a", 1000, 2000));
  EXPECT_TRUE(leases_->extend_lease("agent", "s", "a", 5000));
  EXPECT_FALSE(take("b", 3000, 4000));
  EXPECT_FALSE(take("b", 4999, 5999));
  EXPECT_TRUE(take("b", 5000, 6000));
}

TEST_P(SessionLeaseTest, OnlyTheHolderReleasesAndTheSessionIsFreeAtOnce) {
  EXPECT_TRUE(take("a", 1000, 60000));
  leases_->release_lease("agent", "s", "b");  // not b's: stays
  EXPECT_FALSE(take("b", 1100, 61000));
  leases_->release_lease("agent", "s", "a");
  leases_->release_lease("agent", "s", "a");  // idempotent
  EXPECT_FALSE(leases_->extend_lease("agent", "s", "a", 90000));
  EXPECT_TRUE(take("b", 1200, 61000));
}

TEST_P(SessionLeaseTest, EachAgentAndSessionHasItsOwnLease) {
  EXPECT_TRUE(take("a", 1000, 60000, "s1"));
  EXPECT_TRUE(take("b", 1000, 60000, "s2"));
  EXPECT_TRUE(leases_->try_take_lease("other agent", "s1", "c", 1000, 60000));
  // An empty session id is the default session.
  EXPECT_TRUE(take("d", 1000, 60000, ""));
  EXPECT_FALSE(take("e", 1000, 60000, "default"));
}

TEST_P(SessionLeaseTest, LeasesSurviveReopeningTheDatabase) {
  EXPECT_TRUE(take("a", 1000, 60000));
  db_.reset();
  db_ = open();
  leases_ = db_->leases();
  EXPECT_FALSE(take("b", 2000, 62000));
}

TEST_P(SessionLeaseTest, BadArgumentsAreRefusedNamingWhatIsWrong) {
  EXPECT_EQ(code_of([&] { take("", 1000, 2000); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { leases_->try_take_lease("", "s", "a", 1000, 2000); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { leases_->extend_lease("agent", "s", "", 2000); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { take("a", 1000, 2000, std::string("a\0b", 3)); }), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(take("b", 1000, 2000));  // nothing was taken by the refused calls
}

TEST_P(SessionLeaseTest, TheLeaseStoreIsAbsentWhenHistoryStorageIsOff) {
  auto off = settings();
  off.store_history = false;
  EXPECT_EQ(storage::StorageManager::open(off)->leases(), nullptr);
}

}  // namespace
}  // namespace aurite::testing
