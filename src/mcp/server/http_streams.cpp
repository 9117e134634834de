// mcp/server/http_streams — event queues behind the HTTP transport's SSE streams.
#include "mcp/server/http_streams.hpp"

namespace aurite::mcp::detail {

void EventQueue::push(const std::string& data, bool final) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  // The stream's own prefix makes an event id unique within the session, so a client
  // resuming with Last-Event-ID names the stream as well as the place in it.
  events_.push_back({stream_id_ + "-" + std::to_string(next_++), data, final});
  changed_.notify_all();
}

void EventQueue::push_pause() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  SseEvent pause;
  pause.pause = true;
  events_.push_back(std::move(pause));
  changed_.notify_all();
}

std::optional<SseEvent> EventQueue::pop(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return !events_.empty() || closed_; });
  if (events_.empty()) return std::nullopt;
  SseEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::optional<bool> EventQueue::only_the_answer(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return !events_.empty() || closed_; });
  if (events_.empty()) return std::nullopt;
  return events_.size() == 1 && events_.front().final;
}

void EventQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

bool EventQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void ExchangeOutbox::send(const nlohmann::json& message) {
  const bool answer = message.contains("id") && message["id"] == request_id_ &&
                      (message.contains("result") || message.contains("error"));
  queue_->push(message.dump(), answer);
}

void StandaloneOutbox::send(const nlohmann::json& message) {
  std::lock_guard lock(mutex_);
  if (queue_) queue_->push(message.dump(), /*final=*/false);
}

bool StandaloneOutbox::open(const std::shared_ptr<EventQueue>& queue) {
  std::lock_guard lock(mutex_);
  if (queue_ && !queue_->closed()) return false;
  queue_ = queue;
  return true;
}

void StandaloneOutbox::close(const std::shared_ptr<EventQueue>& queue) {
  std::lock_guard lock(mutex_);
  if (!queue_ || (queue && queue_ != queue)) return;
  queue_->close();
  queue_.reset();
}

void ResumableStreams::keep(const std::shared_ptr<EventQueue>& queue) {
  std::lock_guard lock(mutex_);
  streams_[queue->stream_id()] = queue;
}

std::shared_ptr<EventQueue> ResumableStreams::take(const std::string& last_event_id) {
  const std::string stream = last_event_id.substr(0, last_event_id.rfind('-'));
  std::lock_guard lock(mutex_);
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return nullptr;
  auto queue = std::move(it->second);
  streams_.erase(it);
  return queue;
}

void ResumableStreams::clear() {
  std::lock_guard lock(mutex_);
  for (auto& [id, queue] : streams_) queue->close();
  streams_.clear();
}

}  // namespace aurite::mcp::detail
