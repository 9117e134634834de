#include "aurite/net/sse_parser.hpp"

#include "aurite/common/error.hpp"

namespace aurite::net {

void SseParser::feed(std::string_view chunk) {
  if (!bom_checked_) {
    buffer_.append(chunk);
    if (buffer_.size() < 3 && std::string_view("\xEF\xBB\xBF").substr(0, buffer_.size()) == buffer_) return;
    if (buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) buffer_.erase(0, 3);
    bom_checked_ = true;
    chunk = {};
  }
  buffer_.append(chunk);
  std::size_t start = 0;
  // The chunk before ended in CR (with nothing kept): an LF first completes that CRLF;
  // anything else means it was a lone CR, and a later LF ends a line of its own.
  if (skip_lf_ && !buffer_.empty()) {
    if (buffer_[0] == '\n') start = 1;
    skip_lf_ = false;
    scanned_ = start;
  }
  // Bytes kept from earlier chunks hold no line end: a long line arriving in many small
  // chunks is scanned once, not once per chunk.
  for (std::size_t i = scanned_; i < buffer_.size(); ++i) {
    const char c = buffer_[i];
    if (c != '\n' && c != '\r') continue;
    process_line(std::string_view(buffer_).substr(start, i - start));
    const bool crlf = c == '\r' && i + 1 < buffer_.size() && buffer_[i + 1] == '\n';
    // A CR that ends the bytes so far may be the first half of a CRLF; one whose LF is
    // here already is not.
    skip_lf_ = c == '\r' && !crlf && i + 1 == buffer_.size();
    if (crlf) ++i;
    start = i + 1;
  }
  buffer_.erase(0, start);
  scanned_ = buffer_.size();
  if (buffer_.size() > max_line_) {
    throw Error(ErrorCode::kProtocol, "event stream line longer than " + std::to_string(max_line_) + " bytes");
  }
}

void SseParser::finish() {
  if (!buffer_.empty()) {
    process_line(buffer_);
    buffer_.clear();
    scanned_ = 0;
  }
  dispatch();
}

void SseParser::process_line(std::string_view line) {
  if (line.empty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') return;  // a comment, used as keep-alive
  const auto colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) pending_.data += '\n';
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) pending_.id.assign(value);
  } else if (field == "retry") {
    // Only ASCII digits count; anything else is ignored, as the specification says.
    const bool digits = !value.empty() && value.size() <= 9 &&
                        value.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) retry_ = std::chrono::milliseconds(std::stol(std::string(value)));
  }
  // Unknown fields are ignored, as the specification says.
}

void SseParser::dispatch() {
  // An empty data buffer dispatches nothing (the specification's rule; MCP servers send
  // such an event to prime a stream with its id).
  if (has_data_ && !pending_.data.empty()) {
    SseEvent event = pending_;
    if (event.event.empty()) event.event = "message";
    handler_(event);
  }
  pending_.event.clear();
  pending_.data.clear();
  has_data_ = false;
}

}  // namespace aurite::net
