#include <cstdint>
#include <limits>

#include "llm/providers.hpp"

namespace aurite::llm::detail {

std::int64_t provider_integer(const Json& object, const Json::json_pointer& where, const std::string& provider,
                              std::optional<std::int64_t> fallback) {
  if (fallback && object.is_object() && !object.contains(where)) return *fallback;
  const Json& value = object.at(where);
  // A count is usually parsed as unsigned, but a Json built in code holds it as signed.
  const bool fits = value.is_number_unsigned()
                        ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                        : value.is_number_integer() && value.get<std::int64_t>() >= 0;
  if (fits) return value.get<std::int64_t>();
  throw Error(ErrorCode::kProtocol, provider + ": \"" + where.to_string() +
                                        "\" must be a non-negative integer, got " + value.dump().substr(0, 40));
}

}  // namespace aurite::llm::detail
