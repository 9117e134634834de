#include "aurite/common/cancellation.hpp"

namespace aurite {

void Cancellation::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (auto& [id, wake] : wakers_) wake();
}

Cancellation::Subscription Cancellation::on_cancel(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  if (cancelled_) {
    wake();
    return {};
  }
  const std::uint64_t id = next_id_++;
  wakers_.emplace(id, std::move(wake));
  return {this, id};
}

Cancellation::Subscription& Cancellation::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = other.owner_;
    id_ = other.id_;
    other.owner_ = nullptr;
  }
  return *this;
}

void Cancellation::Subscription::reset() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->mutex_);
  owner_->wakers_.erase(id_);
  owner_ = nullptr;
}

}  // namespace aurite
