// Checks shared by the fuzz targets. A failed property aborts with a message, which
// libFuzzer reports as a crash and saves the input that caused it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace aurite::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "property violated: %s\n", what.c_str());
  std::abort();
}

// Error messages reach JSON bodies (the API) and nlohmann refuses to dump invalid
// UTF-8, so a message must never carry a cut character or raw input bytes.
inline bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

inline void check_message(std::string_view where, std::string_view message) {
  if (message.empty()) fail(std::string(where) + ": an error without a message");
  if (!is_valid_utf8(message)) fail(std::string(where) + ": error message is not valid UTF-8: " + std::string(message));
}

// Cuts an input into pieces whose sizes come from a seed, the way a network read or a
// pipe hands out bytes: the same seed gives the same cuts.
class ChunkSplitter {
 public:
  ChunkSplitter(std::string_view data, std::uint32_t seed) : data_(data), state_(seed | 1U) {}

  bool done() const { return position_ == data_.size(); }
  std::string_view next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    // Mostly tiny pieces (splitting CRLF, BOMs and field names), now and then a big one.
    const std::size_t wanted = (state_ & 7U) == 0 ? state_ % 4096 : state_ % 4;
    const std::size_t size = std::min(wanted, data_.size() - position_);
    const std::string_view piece = data_.substr(position_, size);
    position_ += size;
    return piece;
  }

 private:
  std::string_view data_;
  std::uint32_t state_;
  std::size_t position_ = 0;
};

}  // namespace aurite::fuzz
