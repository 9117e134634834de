// A bounded pool of connections (or anything expensive to open). Internal to the storage
// module; generic so it is tested without a database.
//
// acquire() hands out a Lease that returns the object when it goes out of scope. Before an
// idle object is handed out it is health-checked; a failed check drops it and the pool
// opens another, so a connection broken by a server restart is replaced on next use.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/storage/pool_stats.hpp"

namespace aurite::storage {

template <typename T>
class Pool {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;  // opens one; throws on failure
  using HealthCheck = std::function<bool(T&)>;          // false: drop it, never throws

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<T> item) : pool_(pool), item_(std::move(item)) {}
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), item_(std::move(other.item_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->release(std::move(item_));
    }
    T& operator*() const { return *item_; }
    T* operator->() const { return item_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<T> item_;
  };

  // `capacity` >= 1 objects at most; acquire() waits up to `wait` for one to be free.
  // `description` names the pool in errors (a masked location).
  Pool(std::size_t capacity, std::chrono::milliseconds wait, Factory factory, HealthCheck healthy,
       std::string description)
      : capacity_(capacity), wait_(wait), factory_(std::move(factory)), healthy_(std::move(healthy)),
        description_(std::move(description)) {}

  // Every lease must have ended before the pool is destroyed.
  ~Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A healthy object: an idle one, or a newly opened one while fewer than `capacity`
  // exist. Throws Error(kTimeout) when none is free within the wait, and whatever the
  // factory throws when opening fails.
  Lease acquire() {
    const auto deadline = std::chrono::steady_clock::now() + wait_;
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!idle_.empty()) {
        std::unique_ptr<T> item = std::move(idle_.back());
        idle_.pop_back();
        lock.unlock();
        if (healthy_(*item)) return Lease(this, std::move(item));
        item.reset();  // closed outside the lock
        lock.lock();
        --open_;
        continue;
      }
      if (open_ < capacity_) {
        ++open_;
        lock.unlock();
        try {
          return Lease(this, factory_());
        } catch (...) {
          lock.lock();
          --open_;
          available_.notify_one();
          throw;
        }
      }
      ++waiting_;
      const auto woke = available_.wait_until(lock, deadline);
      --waiting_;
      if (woke == std::cv_status::timeout && idle_.empty() && open_ >= capacity_) {
        throw Error(ErrorCode::kTimeout, "no connection to " + description_ + " became free within " +
                                             std::to_string(wait_.count()) + " ms (pool of " +
                                             std::to_string(capacity_) + ")");
      }
    }
  }

  // Objects open now, idle or leased.
  std::size_t open_count() const {
    std::lock_guard lock(mutex_);
    return open_;
  }

  // What the pool holds now: objects leased and idle, callers waiting for one, capacity.
  PoolStats stats() const {
    std::lock_guard lock(mutex_);
    return {open_ - idle_.size(), idle_.size(), waiting_, capacity_};
  }

 private:
  void release(std::unique_ptr<T> item) {
    std::lock_guard lock(mutex_);
    if (item) {
      idle_.push_back(std::move(item));
    } else {
      --open_;
    }
    available_.notify_one();
  }

  const std::size_t capacity_;
  const std::chrono::milliseconds wait_;
  const Factory factory_;
  const HealthCheck healthy_;
  const std::string description_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<T>> idle_;
  std::size_t open_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace aurite::storage
