#include <cstdint>
#include <limits>

#include "llm/json_integer.hpp"
#include "llm/providers.hpp"

namespace aurite::llm::detail {

std::int64_t provider_integer(const Json& object, const Json::json_pointer& where, const std::string& provider,
                              std::optional<std::int64_t> fallback) {
  if (fallback && object.is_object() && !object.contains(where)) return *fallback;
  const Json& value = object.at(where);
  const auto integer = non_negative_integer(value);
  if (integer && *integer <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(*integer);
  }
  throw Error(ErrorCode::kProtocol, provider + ": \"" + where.to_string() +
                                        "\" must be a non-negative integer, got " + value.dump().substr(0, 40));
}

}  // namespace aurite::llm::detail
