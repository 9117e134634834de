#include "aurite/common/env.hpp"

#include <cstdlib>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"

namespace aurite {

std::optional<std::string> get_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string value = to_lower(trim(text));
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return std::nullopt;
}

bool env_bool(const std::string& name, bool fallback) {
  const auto value = get_env(name);
  if (!value || trim(*value).empty()) return fallback;
  if (auto parsed = parse_bool(*value)) return *parsed;
  throw Error(ErrorCode::kInvalidArgument,
              name + "='" + *value + "' is not a boolean (use true/false, 1/0, yes/no, on/off)");
}

}  // namespace aurite
