// mcp/server/http_headers — header/body agreement checks of the stateless revision.
#include "mcp/server/http_headers.hpp"

#include <cmath>
#include <string_view>

namespace aurite::mcp::detail {
namespace {

constexpr std::string_view kPrefix = "=?base64?";
constexpr std::string_view kSuffix = "?=";
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Strict RFC 4648 Base64: whole quanta, padding only at the end.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    unsigned value = 0;
    int pads = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        ++pads;
        value <<= 6;
        continue;
      }
      const auto digit = kAlphabet.find(c);
      if (digit == std::string_view::npos || pads > 0) return std::nullopt;
      value = (value << 6) | static_cast<unsigned>(digit);
    }
    out.push_back(static_cast<char>((value >> 16) & 0xff));
    if (pads < 2) out.push_back(static_cast<char>((value >> 8) & 0xff));
    if (pads < 1) out.push_back(static_cast<char>(value & 0xff));
  }
  return out;
}

// The header form of a parameter value (SEP-2243 "type conversion"); nullopt for
// types that cannot be mirrored.
std::optional<std::string> header_form(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return std::nullopt;
}

bool same_value(const std::string& header, const nlohmann::json& body) {
  if (body.is_number_integer()) {
    // Integers compare as numbers: "42.0" mirrors 42.
    try {
      std::size_t used = 0;
      const double parsed = std::stod(header, &used);
      return used == header.size() && parsed == static_cast<double>(body.get<long long>());
    } catch (const std::exception&) {
      return false;
    }
  }
  return header_form(body) == header;
}

// Checks the x-mcp-header parameters under `schema` against `arguments`.
std::optional<std::string> param_mismatch(const nlohmann::json& schema, const nlohmann::json& arguments,
                                          const HeaderLookup& header) {
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) return std::nullopt;
  for (const auto& [name, property] : schema["properties"].items()) {
    if (!property.is_object()) continue;
    const nlohmann::json* value = arguments.is_object() && arguments.contains(name) ? &arguments[name] : nullptr;
    if (property.contains("properties") && value != nullptr) {
      if (auto why = param_mismatch(property, *value, header)) return why;
    }
    if (!property.contains("x-mcp-header") || !property["x-mcp-header"].is_string()) continue;
    if (value == nullptr || value->is_null()) continue;  // nothing to mirror, nothing expected
    const std::string header_name = "Mcp-Param-" + property["x-mcp-header"].get<std::string>();
    const auto sent = header(header_name);
    if (!sent) return header_name + " is missing but '" + name + "' is in the arguments";
    const auto decoded = decode_header_value(trimmed(*sent));
    if (!decoded) return header_name + " is not a valid header value";
    if (!same_value(*decoded, *value)) return header_name + " does not match the argument '" + name + "'";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> decode_header_value(const std::string& value) {
  for (const unsigned char c : value) {
    if (c != '\t' && (c < 0x20 || c > 0x7e)) return std::nullopt;
  }
  if (value.size() >= kPrefix.size() + kSuffix.size() && value.compare(0, kPrefix.size(), kPrefix) == 0 &&
      value.compare(value.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    return base64_decode(std::string_view(value).substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size()));
  }
  return value;
}

std::optional<std::string> header_mismatch(const nlohmann::json& request, const HeaderLookup& header,
                                           const nlohmann::json& input_schema) {
  const std::string method = request.value("method", "");
  const auto sent_method = header("Mcp-Method");
  if (!sent_method) return "the Mcp-Method header is missing";
  if (trimmed(*sent_method) != method) return "Mcp-Method '" + trimmed(*sent_method) + "' does not match '" + method + "'";
  const nlohmann::json params = request.contains("params") ? request["params"] : nlohmann::json::object();
  const char* name_field = method == "resources/read" ? "uri"
                           : method == "tools/call" || method == "prompts/get" ? "name"
                                                                              : nullptr;
  if (name_field != nullptr && params.contains(name_field) && params[name_field].is_string()) {
    const auto sent_name = header("Mcp-Name");
    if (!sent_name) return "the Mcp-Name header is missing";
    const auto decoded = decode_header_value(trimmed(*sent_name));
    if (!decoded) return "Mcp-Name is not a valid header value";
    if (*decoded != params[name_field].get<std::string>()) return "Mcp-Name does not match the request's " + std::string(name_field);
  }
  if (method == "tools/call") return param_mismatch(input_schema, params.value("arguments", nlohmann::json::object()), header);
  return std::nullopt;
}

}  // namespace aurite::mcp::detail
