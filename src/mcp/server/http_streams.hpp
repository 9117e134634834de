// mcp/server/http_streams — the outboxes of the HTTP transport: the stream that answers
// one POSTed request, and a session's standalone (GET) stream. Both queue messages as
// numbered SSE events for the HTTP thread that writes them out.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mcp/server/outbox.hpp"

namespace aurite::mcp::detail {

struct SseEvent {
  std::string id;
  std::string data;  // one JSON-RPC message, on one line
  bool final = false;  // the answer that ends a request's stream
  bool pause = false;  // not an event: end the HTTP response here, resumably
};

// A queue of events written out by one HTTP response.
class EventQueue {
 public:
  explicit EventQueue(std::string stream_id) : stream_id_(std::move(stream_id)) {}
  // Queues `data` as the next event; ignored once closed.
  void push(const std::string& data, bool final);
  // Queues a pause: the response writing this queue ends there, and a later one
  // continues with what follows.
  void push_pause();
  const std::string& stream_id() const { return stream_id_; }
  // The next event, or nullopt when `wait` passes first or the queue is closed.
  std::optional<SseEvent> pop(std::chrono::milliseconds wait);
  // Waits until an event is queued and tells whether the queue holds exactly one final
  // event: the answer with nothing before it, sendable as plain JSON. nullopt when
  // nothing came within `wait`.
  std::optional<bool> only_the_answer(std::chrono::milliseconds wait);
  void close();
  bool closed() const;

 private:
  const std::string stream_id_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<SseEvent> events_;
  long next_ = 1;
  bool closed_ = false;
};

// What answers one POSTed request: every message sent while handling it, the answer
// (the response with the request's id) last.
class ExchangeOutbox final : public Outbox {
 public:
  ExchangeOutbox(std::string stream_id, nlohmann::json request_id)
      : queue_(std::make_shared<EventQueue>(std::move(stream_id))), request_id_(std::move(request_id)) {}
  void send(const nlohmann::json& message) override;
  void close_stream() override { queue_->push_pause(); }
  const std::shared_ptr<EventQueue>& queue() const { return queue_; }

 private:
  std::shared_ptr<EventQueue> queue_;
  const nlohmann::json request_id_;
};

// A session's messages not tied to a request: forwarded to its GET stream while one is
// open, dropped otherwise (the specification lets a server send them only there).
class StandaloneOutbox final : public Outbox {
 public:
  void send(const nlohmann::json& message) override;
  // Opens the GET stream; false when one is open already.
  bool open(const std::shared_ptr<EventQueue>& queue);
  // Ends the GET stream if it is `queue` (any, when null).
  void close(const std::shared_ptr<EventQueue>& queue = nullptr);

 private:
  std::mutex mutex_;
  std::shared_ptr<EventQueue> queue_;
};

// A session's request streams that ended before their answer (paused by the server,
// or left by the client), by stream id, until a GET with Last-Event-ID continues one.
class ResumableStreams {
 public:
  void keep(const std::shared_ptr<EventQueue>& queue);
  // The stream an event id ("<stream>-<n>") belongs to, no longer kept; nullptr when
  // none is.
  std::shared_ptr<EventQueue> take(const std::string& last_event_id);
  // Closes and forgets them all (the session ends).
  void clear();

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<EventQueue>> streams_;
};

}  // namespace aurite::mcp::detail
