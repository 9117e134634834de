#include "api/elastic_pool.hpp"

#include <algorithm>

namespace aurite::api::detail {

ElasticPool::ElasticPool(std::size_t core, std::size_t max) : max_(std::max<std::size_t>(max, 1)) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < std::min(core, max_); ++i) threads_.emplace_back([this] { work(); });
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::enqueue(std::function<void()> job) {
  {
    std::unique_lock lock(mutex_);
    if (stopping_) {  // after shutdown no thread is left to take it
      lock.unlock();
      job();
      return;
    }
    jobs_.push_back(std::move(job));
    // Jobs beyond the idle threads would wait: one more thread, while the bound allows.
    if (jobs_.size() > idle_ && threads_.size() < max_) threads_.emplace_back([this] { work(); });
  }
  wake_.notify_one();
}

void ElasticPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& thread : threads) thread.join();
}

std::size_t ElasticPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

void ElasticPool::work() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      wake_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
      --idle_;
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace aurite::api::detail
