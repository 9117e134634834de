#include "mcp/stderr_tail.hpp"

namespace aurite::mcp::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The lead bytes of multi-byte UTF-8 sequences, the sequence's length and its least
// code point (anything smaller is an overlong form).
struct SequenceForm {
  unsigned char first_lead;
  unsigned char last_lead;
  std::size_t length;
  unsigned minimum;
};
constexpr SequenceForm kForms[] = {{0xC2, 0xDF, 2, 0x80}, {0xE0, 0xEF, 3, 0x800}, {0xF0, 0xF4, 4, 0x10000}};

// The length of the valid UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned minimum = 0;
  for (const auto& form : kForms) {
    if (lead >= form.first_lead && lead <= form.last_lead) {
      length = form.length;
      minimum = form.minimum;
    }
  }
  if (length == 0 || text.size() < length) return 0;
  unsigned code = lead & (0x7Fu >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3Fu);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8.
  if (code < minimum || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
  return length;
}

}  // namespace

std::string printable_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += (c < 0x20 && c != '\t') || c == 0x7F ? '?' : static_cast<char>(c);
      ++i;
    } else if (const std::size_t length = utf8_sequence_length(text.substr(i)); length > 0) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

void StderrTail::add(std::string_view line) {
  std::string kept = printable_utf8(line.substr(0, kMaxLineBytes));
  if (line.size() > kMaxLineBytes) kept += " [cut]";
  std::lock_guard lock(mutex_);
  bytes_ += kept.size();
  lines_.push_back(std::move(kept));
  while (lines_.size() > kMaxLines || bytes_ > kMaxBytes) {
    bytes_ -= lines_.front().size();
    lines_.pop_front();
  }
}

std::string StderrTail::as_suffix() const {
  std::lock_guard lock(mutex_);
  if (lines_.empty()) return "";
  std::string out = "; its last stderr lines:";
  for (const auto& line : lines_) out += "\n  " + line;
  return out;
}

}  // namespace aurite::mcp::detail
