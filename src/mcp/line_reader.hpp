// mcp/line_reader — splits a byte stream from a file descriptor into lines, with a cap.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace aurite::mcp::detail {

// Accumulates bytes; pop() hands out complete lines. Not thread-safe (one reader).
class LineBuffer {
 public:
  explicit LineBuffer(std::size_t max_line) : max_line_(max_line) {}

  // Appends bytes read from the stream.
  void append(const char* data, std::size_t size) { buffer_.append(data, size); }
  // The next complete line without its '\n' (a trailing '\r' is dropped too).
  std::optional<std::string> pop();
  // True when the pending partial line is already longer than the cap.
  bool overflowed() const { return buffer_.size() - start_ > max_line_; }
  // What is left after EOF (a last line without '\n'), emptied.
  std::string take_rest();

 private:
  std::size_t max_line_;
  std::string buffer_;
  std::size_t start_ = 0;  // consumed prefix, compacted lazily
  std::size_t scanned_ = 0;  // bytes after start_ known to hold no '\n'
};

}  // namespace aurite::mcp::detail
