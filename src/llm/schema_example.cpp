#include "aurite/llm/schema_example.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "llm/json_integer.hpp"

namespace aurite::llm {
namespace {

constexpr int kMaxDepth = 16;  // schemas may be recursive through $ref-free nesting
// The schema comes from an MCP server: a minLength or minItems of billions must not make
// the example that large. A tool demanding more gets a shorter example and says so.
constexpr std::size_t kMaxExampleSize = 4096;

// `key` of `schema` if it is a non-negative integer (anything else is ignored), at most
// kMaxExampleSize.
std::optional<std::size_t> schema_size(const Json& schema, const char* key) {
  const auto it = schema.find(key);
  if (it == schema.end()) return std::nullopt;
  const auto size = detail::non_negative_integer(*it);
  if (!size) return std::nullopt;
  return static_cast<std::size_t>(std::min<std::uint64_t>(*size, kMaxExampleSize));
}

std::string example_string(const Json& schema, const std::string& name, const std::string& text) {
  const std::string format = schema.value("format", "");
  if (format == "date-time") return "2025-01-01T12:00:00Z";
  if (format == "date") return "2025-01-01";
  if (format == "time") return "12:00:00";
  if (format == "email") return "user@example.com";
  if (format == "uri" || format == "url") return "https://example.com";
  if (format == "uuid") return "00000000-0000-4000-8000-000000000000";
  std::string value = !text.empty() ? text : (name.empty() ? "example" : "example " + name);
  const auto min_length = schema_size(schema, "minLength").value_or(0);
  if (value.size() < min_length) value.append(min_length - value.size(), 'x');
  if (const auto max_length = schema_size(schema, "maxLength")) value.resize(std::min(value.size(), *max_length));
  return value;
}

double example_number(const Json& schema, bool integer) {
  double value = integer ? 1 : 1.5;
  if (schema.contains("minimum") && schema["minimum"].is_number()) value = std::max(value, schema["minimum"].get<double>());
  if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number()) {
    value = std::max(value, schema["exclusiveMinimum"].get<double>() + 1);
  }
  if (schema.contains("maximum") && schema["maximum"].is_number()) value = std::min(value, schema["maximum"].get<double>());
  return value;
}

Json example(const Json& schema, const std::string& name, const std::string& text, int depth) {
  if (!schema.is_object() || depth > kMaxDepth) return nullptr;
  if (schema.contains("const")) return schema["const"];
  if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty()) return schema["enum"][0];
  if (schema.contains("default")) return schema["default"];
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    if (schema.contains(key) && schema[key].is_array() && !schema[key].empty()) {
      return example(schema[key][0], name, text, depth + 1);
    }
  }
  std::string type;
  if (schema.contains("type")) {
    const Json& t = schema["type"];
    if (t.is_string()) type = t;
    if (t.is_array()) {  // the first type that is not null
      for (const auto& option : t) {
        if (option.is_string() && option != "null") {
          type = option;
          break;
        }
      }
    }
  } else if (schema.contains("properties")) {
    type = "object";
  }
  if (type == "object") {
    Json out = Json::object();
    if (schema.contains("properties") && schema["properties"].is_object()) {
      const Json& properties = schema["properties"];
      const auto is_string = [&](const std::string& key) {
        return properties.contains(key) && properties[key].is_object() && properties[key].value("type", Json()) == "string";
      };
      // The text goes into one string property, the first required one if any; the
      // others get examples named after themselves.
      std::string text_key;
      for (const auto& key : schema.value("required", Json::array())) {
        if (key.is_string() && is_string(key)) {
          text_key = key;
          break;
        }
      }
      for (const auto& [key, property] : properties.items()) {
        if (text_key.empty() && is_string(key)) text_key = key;
      }
      for (const auto& [key, property] : properties.items()) {
        out[key] = example(property, key, key == text_key ? text : "", depth + 1);
      }
    }
    return out;
  }
  if (type == "array") {
    const auto count = std::max<std::size_t>(1, schema_size(schema, "minItems").value_or(1));
    Json out = Json::array();
    for (std::size_t i = 0; i < count; ++i) out.push_back(example(schema.value("items", Json::object()), name, text, depth + 1));
    return out;
  }
  if (type == "string") return example_string(schema, name, text);
  if (type == "integer") {
    // Converting a double outside int64_t's range is undefined; a bound that far out is clamped.
    const double value = std::clamp(example_number(schema, true), -9.2e18, 9.2e18);
    return static_cast<int64_t>(value);
  }
  if (type == "number") return example_number(schema, false);
  if (type == "boolean") return true;
  return nullptr;
}

}  // namespace

Json example_for_schema(const Json& schema, const std::string& text) { return example(schema, "", text, 0); }

}  // namespace aurite::llm
