// mcp/stderr_tail — the last lines an MCP server wrote to its stderr, kept so that the
// error saying a server exited or failed to start can show why, in the server's words.
//
// Internal to the mcp module. Only the server's own output goes in (never our
// environment or configuration). Bounded: at most kMaxLines lines and kMaxBytes bytes,
// older lines dropping out first; a line longer than kMaxLineBytes keeps its start.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace aurite::mcp::detail {

// Thread-safe: the transport's reader thread adds lines, any thread reads them.
class StderrTail {
 public:
  static constexpr std::size_t kMaxLines = 20;
  static constexpr std::size_t kMaxBytes = 4096;
  static constexpr std::size_t kMaxLineBytes = 512;

  // Keeps `line` as text that is safe in a terminal and in JSON: invalid UTF-8 becomes
  // U+FFFD and control characters (an escape sequence's ESC included) become '?'.
  void add(std::string_view line);

  // "; its last stderr lines:\n  <line>\n  <line>..." or "" when it wrote nothing: the
  // end of an error message.
  std::string as_suffix() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> lines_;
  std::size_t bytes_ = 0;
};

// `text` with invalid UTF-8 replaced by U+FFFD and control characters but tab by '?'.
std::string printable_utf8(std::string_view text);

}  // namespace aurite::mcp::detail
