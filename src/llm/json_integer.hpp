// Integers read from JSON that came from outside (a provider's answer, an MCP tool's
// schema) without the JSON library's conversion, which casts a fraction or an
// out-of-range number: undefined behaviour.
#pragma once

#include <cstdint>
#include <optional>

#include "aurite/llm/message.hpp"

namespace aurite::llm::detail {

// `value` if it is an integer >= 0, else nullopt. A number parsed from text is unsigned;
// one built in code may be signed.
inline std::optional<std::uint64_t> non_negative_integer(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

}  // namespace aurite::llm::detail
