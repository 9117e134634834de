// net/sse_parser — incremental parser of a Server-Sent Events stream
// (https://html.spec.whatwg.org/multipage/server-sent-events.html), fed in arbitrary
// chunks as they arrive from the network.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace aurite::net {

struct SseEvent {
  std::string event;  // "message" when the stream names none
  std::string data;   // data lines joined with '\n'
  std::string id;
};

class SseParser {
 public:
  using Handler = std::function<void(const SseEvent&)>;

  // Lines longer than `max_line` throw Error(kProtocol) instead of growing without bound.
  explicit SseParser(Handler handler, std::size_t max_line = 16 * 1024 * 1024)
      : handler_(std::move(handler)), max_line_(max_line) {}

  void feed(std::string_view chunk);
  // The stream's last event id (the `id` field persists across events, as the
  // specification says; an event without data still sets it): what a client resuming
  // the stream sends as Last-Event-ID. Empty when the stream named none.
  const std::string& last_event_id() const { return pending_.id; }
  // The reconnection delay the stream asked for with its last valid `retry` field.
  std::optional<std::chrono::milliseconds> retry() const { return retry_; }
  // Dispatches an event left pending at the end of the stream (no trailing blank line).
  void finish();

 private:
  void process_line(std::string_view line);
  void dispatch();

  Handler handler_;
  std::size_t max_line_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // leading bytes of buffer_ known to hold no line end
  bool skip_lf_ = false;  // a '\r' ended the last line; a following '\n' belongs to it
  bool bom_checked_ = false;
  SseEvent pending_;
  bool has_data_ = false;
  std::optional<std::chrono::milliseconds> retry_;
};

}  // namespace aurite::net
