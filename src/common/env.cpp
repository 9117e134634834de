#include "aurite/common/env.hpp"

#include <algorithm>
#include <cctype>
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

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

std::string expand_env_references(std::string_view text, std::string_view where) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      throw Error(ErrorCode::kInvalidConfig,
                  std::string(where) + ": '${' without a closing '}' (write $${ for a literal ${)");
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    if (!is_env_name(name)) {
      throw Error(ErrorCode::kInvalidConfig,
                  std::string(where) + ": '${" + name + "}' is not a variable reference (a name is letters, digits, _)");
    }
    const auto value = get_env(name);
    if (!value) {
      throw Error(ErrorCode::kInvalidConfig, std::string(where) + ": environment variable " + name + " is not set");
    }
    out += *value;
    i = close + 1;
  }
  return out;
}

}  // namespace aurite
