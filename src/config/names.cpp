#include "aurite/config/names.hpp"

#include <fmt/format.h>

namespace aurite::config {

std::string name_problem(std::string_view name) {
  if (name.size() > kMaxNameBytes) {
    return fmt::format("is {} bytes long; names are at most {} bytes", name.size(), kMaxNameBytes);
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) return fmt::format("holds the control character U+{:04X} at byte {}", c, i);
    if (c == '/') return fmt::format("holds '/' at byte {}; a name is one segment of an API path", i);
  }
  return "";
}

bool is_tool_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxToolNameLength) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string excerpt(std::string_view text) {
  constexpr std::size_t kShown = 64;
  if (text.size() <= kShown) return std::string(text);
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

}  // namespace aurite::config
