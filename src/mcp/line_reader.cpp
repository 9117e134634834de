#include "mcp/line_reader.hpp"

namespace aurite::mcp::detail {

std::optional<std::string> LineBuffer::pop() {
  const auto newline = buffer_.find('\n', start_ + scanned_);
  if (newline == std::string::npos) {
    scanned_ = buffer_.size() - start_;
    // Compact once the consumed prefix dominates, so the buffer does not only grow.
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
    return std::nullopt;
  }
  std::size_t end = newline;
  if (end > start_ && buffer_[end - 1] == '\r') --end;
  std::string line = buffer_.substr(start_, end - start_);
  start_ = newline + 1;
  scanned_ = 0;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return line;
}

std::string LineBuffer::take_rest() {
  std::string rest = buffer_.substr(start_);
  buffer_.clear();
  start_ = scanned_ = 0;
  return rest;
}

}  // namespace aurite::mcp::detail
