// The threads that serve the API's connections.
//
// httplib's own pool has a fixed size, so with every worker inside a long run a health
// check or a history read queues behind runs for seconds. Here a connection that finds no
// idle thread gets a new one, up to a hard bound; how many runs go at once is bounded
// separately (ApiContext::run_started), so the bound on runs no longer starves the rest.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aurite::api::detail {

class ElasticPool final : public httplib::TaskQueue {
 public:
  // Starts `core` threads at once; grows by one thread whenever a job would otherwise
  // wait, until `max` threads; past that, jobs wait in order. Threads, once started,
  // stay until shutdown (the pool is as large as the busiest moment, never more than max).
  ElasticPool(std::size_t core, std::size_t max);
  ~ElasticPool() override;
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void enqueue(std::function<void()> job) override;
  // Runs the jobs already queued, then joins every thread. Idempotent.
  void shutdown() override;

  std::size_t threads() const;

 private:
  void work();

  const std::size_t max_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // guarded by mutex_
  std::vector<std::thread> threads_;        // guarded by mutex_
  std::size_t idle_ = 0;                    // threads waiting for a job; guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
};

}  // namespace aurite::api::detail
