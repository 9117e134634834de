#include "config/field_reader.hpp"

#include <cmath>
#include <cstdlib>

#include "aurite/common/env.hpp"
#include "aurite/common/text.hpp"

namespace aurite::config::detail {
namespace {

bool is_identifier(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::optional<double> parse_number_text(const std::string& text) {
  const std::string trimmed(trim(text));
  if (trimmed.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(trimmed.c_str(), &end);
  if (end != trimmed.c_str() + trimmed.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<int64_t> as_integer(double value) {
  if (std::trunc(value) != value || std::fabs(value) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(value);
}

}  // namespace

std::string key_path(const std::string& path, const std::string& key) {
  if (is_identifier(key)) return path.empty() ? key : path + "." + key;
  return path + "[" + Json(key).dump() + "]";
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string describe_type(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

FieldReader::FieldReader(const Json& object, std::string path, ParseReport& report)
    : path_(std::move(path)), report_(report) {
  if (object.is_object()) {
    object_ = &object;
  } else {
    error(path_, "expected an object, got " + describe_type(object));
  }
}

void FieldReader::error(const std::string& path, const std::string& message) {
  report_.errors.push_back({path, message});
}

std::optional<std::pair<const Json*, std::string>> FieldReader::find(
    std::initializer_list<std::string> keys) {
  if (!ok()) return std::nullopt;
  std::optional<std::pair<const Json*, std::string>> found;
  std::string found_key;
  for (const auto& key : keys) {
    used_.insert(key);
    const auto it = object_->find(key);
    if (it == object_->end() || it->is_null()) continue;
    if (found) {
      error(key_path(path_, key), "both '" + found_key + "' and '" + key +
                                      "' are set; they mean the same, keep one");
      continue;
    }
    found_key = key;
    found.emplace(&*it, key_path(path_, key));
  }
  return found;
}

std::optional<std::pair<const Json*, std::string>> FieldReader::raw(
    std::initializer_list<std::string> keys) {
  return find(keys);
}

std::optional<std::string> FieldReader::string(std::initializer_list<std::string> keys,
                                               bool required) {
  const auto field = find(keys);
  if (!field) {
    if (required && ok()) error(key_path(path_, *keys.begin()), "required field is missing");
    return std::nullopt;
  }
  const auto& [value, path] = *field;
  if (!value->is_string()) {
    error(path, "expected a string, got " + describe_type(*value));
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<double> FieldReader::number(std::initializer_list<std::string> keys) {
  const auto field = find(keys);
  if (!field) return std::nullopt;
  const auto& [value, path] = *field;
  if (value->is_number()) return value->get<double>();
  if (value->is_string()) {
    if (auto parsed = parse_number_text(value->get<std::string>())) return parsed;
  }
  error(path, "expected a number, got " + describe_type(*value) +
                  (value->is_string() ? " '" + value->get<std::string>() + "'" : ""));
  return std::nullopt;
}

std::optional<int64_t> FieldReader::integer(std::initializer_list<std::string> keys) {
  const auto field = find(keys);
  if (!field) return std::nullopt;
  const auto& [value, path] = *field;
  std::optional<double> number;
  if (value->is_number()) number = value->get<double>();
  if (value->is_string()) number = parse_number_text(value->get<std::string>());
  if (number) {
    if (auto integral = as_integer(*number)) return integral;
  }
  error(path, "expected an integer, got " + (value->is_string() || value->is_number()
                                                ? value->dump()
                                                : describe_type(*value)));
  return std::nullopt;
}

std::optional<bool> FieldReader::boolean(std::initializer_list<std::string> keys) {
  const auto field = find(keys);
  if (!field) return std::nullopt;
  const auto& [value, path] = *field;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    if (auto parsed = parse_bool(value->get<std::string>())) return parsed;
  }
  if (value->is_number_integer() || value->is_number_unsigned()) {
    const auto number = value->get<int64_t>();
    if (number == 0 || number == 1) return number == 1;
  }
  error(path, "expected a boolean, got " +
                  (value->is_primitive() ? value->dump() : describe_type(*value)));
  return std::nullopt;
}

std::vector<std::string> FieldReader::string_list(std::initializer_list<std::string> keys) {
  std::vector<std::string> out;
  const auto field = find(keys);
  if (!field) return out;
  const auto& [value, path] = *field;
  if (!value->is_array()) {
    error(path, "expected an array of strings, got " + describe_type(*value));
    return out;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else {
      error(index_path(path, i), "expected a string, got " + describe_type(item));
    }
  }
  return out;
}

std::map<std::string, std::string> FieldReader::string_map(std::initializer_list<std::string> keys) {
  std::map<std::string, std::string> out;
  const auto field = find(keys);
  if (!field) return out;
  const auto& [value, path] = *field;
  if (!value->is_object()) {
    error(path, "expected an object of strings, got " + describe_type(*value));
    return out;
  }
  for (const auto& [key, item] : value->items()) {
    if (item.is_string()) {
      out[key] = item.get<std::string>();
    } else if (item.is_number() || item.is_boolean()) {
      out[key] = item.dump();  // env values such as PORT: 8080 are meant as text
    } else {
      error(key_path(path, key), "expected a string, got " + describe_type(item));
    }
  }
  return out;
}

std::optional<Json> FieldReader::object(std::initializer_list<std::string> keys) {
  const auto field = find(keys);
  if (!field) return std::nullopt;
  const auto& [value, path] = *field;
  if (!value->is_object()) {
    error(path, "expected an object, got " + describe_type(*value));
    return std::nullopt;
  }
  return *value;
}

Json FieldReader::take_unknown() {
  Json extra = Json::object();
  if (!ok()) return extra;
  const std::vector<std::string> known(used_.begin(), used_.end());
  for (const auto& [key, value] : object_->items()) {
    if (used_.count(key) != 0) continue;
    extra[key] = value;
    // A key longer than any name we know is no typo of one, and not worth the distance.
    std::string suggestion = key.size() <= 64 ? closest_match(key, known) : std::string();
    report_.unknown_keys.push_back({key_path(path_, key), std::move(suggestion)});
  }
  return extra;
}

}  // namespace aurite::config::detail
