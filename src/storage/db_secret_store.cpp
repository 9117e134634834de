#include "storage/db_secret_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "aurite/common/error.hpp"

namespace aurite::storage {
namespace {

using std::chrono::milliseconds;

// As the session gate: a refresh ahead is noticed at once, a long wait costs a query
// every half second.
constexpr milliseconds kFirstPoll{10};
constexpr milliseconds kMaxPoll{500};

// Gives the lock back however update() ends.
class HeldLock {
 public:
  HeldLock(SecretRows& rows, const std::string& name, const std::string& holder)
      : rows_(rows), name_(name), holder_(holder) {}
  ~HeldLock() {
    try {
      rows_.unlock_secret(name_, holder_);
    } catch (const std::exception&) {
      // It expires after lock_ttl; an unlock that cannot reach the database costs a wait.
    }
  }
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

 private:
  SecretRows& rows_;
  const std::string& name_;
  const std::string& holder_;
};

}  // namespace

DbSecretStore::DbSecretStore(std::shared_ptr<SecretRows> rows, BoxSource box, std::string location,
                             SecretLockTiming timing, WallClock& clock)
    : rows_(std::move(rows)), box_(std::move(box)), location_(std::move(location)), timing_(timing), clock_(clock) {}

std::optional<std::string> DbSecretStore::get(std::string_view name) {
  const std::string key(name);
  const auto sealed = rows_->sealed_secret(key);
  if (!sealed) return std::nullopt;
  return box_()->open(name, *sealed);
}

void DbSecretStore::put(std::string_view name, std::string_view value) {
  rows_->put_sealed_secret(std::string(name), box_()->seal(name, value), std::nullopt);
}

bool DbSecretStore::remove(std::string_view name) { return rows_->delete_secret(std::string(name)); }

std::vector<std::string> DbSecretStore::names(std::string_view prefix) {
  return rows_->secret_names(std::string(prefix));
}

void DbSecretStore::lock(const std::string& name, const std::string& holder) {
  const auto deadline = clock_.now() + timing_.wait;
  milliseconds pause = kFirstPoll;
  while (true) {
    const auto now = clock_.now();
    if (rows_->try_lock_secret(name, holder, epoch_ms(now), epoch_ms(now + timing_.lock_ttl))) return;
    if (now >= deadline) {
      throw Error(ErrorCode::kTimeout,
                  fmt::format("'{}' in {} is being changed by another process; waited {} ms for it", name, location_,
                              timing_.wait.count()));
    }
    clock_.pause(std::min(pause, std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1)));
    pause = std::min(pause * 2, kMaxPoll);
  }
}

std::optional<std::string> DbSecretStore::update(std::string_view name, const Change& change) {
  const std::string key(name);
  const std::string holder = new_lease_holder();
  lock(key, holder);
  HeldLock held(*rows_, key, holder);
  const auto current = get(name);
  auto next = change(current);
  if (!next) return current;
  if (!rows_->put_sealed_secret(key, box_()->seal(name, *next), holder)) {
    throw Error(ErrorCode::kConflict,
                fmt::format("'{}' in {} was not written: the change outlasted its lock ({} ms) and another process "
                            "may have changed it since",
                            name, location_, timing_.lock_ttl.count()));
  }
  return next;
}

}  // namespace aurite::storage
