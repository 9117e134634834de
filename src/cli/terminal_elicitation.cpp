// The terminal's side of a server's elicitation/create. Form mode: `Answer? [Y/n/c]`,
// then one prompt per field (`age (integer) [30]: `), an empty answer taking the
// default, a wrong one asked again. URL mode: the URL to open, then whether it is done.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <ostream>

#include <fmt/format.h>

#include "aurite/common/text.hpp"
#include "cli/terminal_approvals.hpp"

namespace aurite::cli {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// The values a field allows (enum, or oneOf of {const, title}), with their titles.
std::vector<std::pair<Json, std::string>> choices_of(const Json& property) {
  std::vector<std::pair<Json, std::string>> choices;
  const Json& source = property.value("type", "") == "array" ? property.value("items", Json::object()) : property;
  for (const char* key : {"enum", "oneOf", "anyOf"}) {
    if (!source.contains(key) || !source[key].is_array()) continue;
    for (const auto& option : source[key]) {
      if (option.is_object() && option.contains("const")) {
        choices.emplace_back(option["const"], option.value("title", option["const"].dump()));
      } else if (!option.is_object()) {
        choices.emplace_back(option, option.is_string() ? option.get<std::string>() : option.dump());
      }
    }
  }
  return choices;
}

std::string shown(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// The typed value of `text` for `property`, or nullopt when it is not one.
std::optional<Json> parse_value(const std::string& text, const Json& property) {
  const std::string type = property.value("type", "string");
  const auto choices = choices_of(property);
  const auto pick = [&](const std::string& item) -> std::optional<Json> {
    if (choices.empty()) return Json(item);
    for (const auto& [value, title] : choices) {
      if (shown(value) == item || to_lower(title) == to_lower(item)) return value;
    }
    return std::nullopt;
  };
  if (type == "array") {
    Json items = Json::array();
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto comma = text.find(',', start);
      const std::string item(trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (!item.empty()) {
        auto value = pick(item);
        if (!value) return std::nullopt;
        items.push_back(*value);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return items;
  }
  if (type == "boolean") {
    const std::string answer = to_lower(text);
    if (answer == "y" || answer == "yes" || answer == "true") return Json(true);
    if (answer == "n" || answer == "no" || answer == "false") return Json(false);
    return std::nullopt;
  }
  if (type == "integer" || type == "number") {
    const Json number = Json::parse(text, nullptr, false);
    if (number.is_discarded() || !number.is_number()) return std::nullopt;
    if (type == "integer" && !number.is_number_integer()) return std::nullopt;
    return number;
  }
  return pick(text);
}

// `name (hint) [default]: `
std::string field_prompt(const std::string& name, const Json& property, bool required) {
  std::string hint;
  const auto choices = choices_of(property);
  const std::string type = property.value("type", "string");
  if (!choices.empty()) {
    std::vector<std::string> titles;
    for (const auto& choice : choices) titles.push_back(choice.second);
    std::string joined;
    for (const auto& title : titles) joined += (joined.empty() ? "" : ", ") + title;
    hint = (type == "array" ? "any of " : "one of ") + joined;
  } else if (type == "boolean") {
    hint = "yes/no";
  } else if (type != "string") {
    hint = type;
  }
  std::string label = property.value("title", name);
  if (property.contains("description") && property["description"].is_string()) {
    label += " - " + property["description"].get<std::string>();
  }
  std::string prompt = "  " + label;
  if (!hint.empty()) prompt += " (" + hint + ")";
  if (property.contains("default")) {
    const Json& fallback = property["default"];
    prompt += " [" + (fallback.is_boolean() ? std::string(fallback.get<bool>() ? "yes" : "no") : shown(fallback)) + "]";
  } else if (required) {
    prompt += " (required)";
  }
  return prompt + ": ";
}

}  // namespace

std::optional<std::string> TerminalApprovals::read_line(Clock::time_point deadline) {
  // What the stream holds already is read first; otherwise wait for the terminal.
  if (&in_ == &std::cin && in_.rdbuf()->in_avail() <= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd input{STDIN_FILENO, POLLIN, 0};
    if (left <= 0 || ::poll(&input, 1, static_cast<int>(left)) <= 0) return std::nullopt;
  }
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  return std::string(trim(line));
}

std::optional<std::optional<Json>> TerminalApprovals::ask_field(const std::string& name, const Json& property,
                                                                bool required, Clock::time_point deadline) {
  for (;;) {
    out_ << field_prompt(name, property, required) << std::flush;
    const auto line = read_line(deadline);
    if (!line) return std::nullopt;
    if (line->empty()) {
      if (property.contains("default")) return std::optional<Json>(property["default"]);
      if (!required) return std::optional<Json>();
      out_ << "  " << name << " is required.\n";
      continue;
    }
    if (auto value = parse_value(*line, property)) return std::optional<Json>(std::move(*value));
    out_ << "  That is not a value " << name << " takes.\n";
  }
}

std::optional<Json> TerminalApprovals::elicit(const mcp::ElicitationRequest& request) {
  const auto deadline = Clock::now() + request.timeout;
  const std::string message = one_line(request.message(), 400);
  if (request.url_mode()) {
    out_ << fmt::format("\nMCP server '{}' asks you to open a page (during {}): {}\n  {}\n", request.client_id,
                        request.tool, message, request.params.value("url", ""))
         << "Done? [y/N/c] " << std::flush;
    const auto line = read_line(deadline);
    if (!line) return std::nullopt;
    const std::string answer = to_lower(*line);
    if (answer == "y" || answer == "yes") return Json{{"action", "accept"}};
    return Json{{"action", answer == "c" || answer == "cancel" ? "cancel" : "decline"}};
  }
  out_ << fmt::format("\nMCP server '{}' asks (during {}): {}\n", request.client_id, request.tool, message)
       << "Answer? [Y/n/c] " << std::flush;
  const auto line = read_line(deadline);
  if (!line) return std::nullopt;
  const std::string answer = to_lower(*line);
  if (answer == "n" || answer == "no") return Json{{"action", "decline"}};
  if (answer == "c" || answer == "cancel") return Json{{"action", "cancel"}};
  const Json schema = request.requested_schema();
  const Json properties = schema.value("properties", Json::object());
  const Json required = schema.value("required", Json::array());
  Json content = Json::object();
  for (const auto& [name, property] : properties.items()) {
    const bool is_required = std::find(required.begin(), required.end(), Json(name)) != required.end();
    const auto value = ask_field(name, property.is_object() ? property : Json::object(), is_required, deadline);
    if (!value) return std::nullopt;
    if (*value) content[name] = **value;
  }
  return Json{{"action", "accept"}, {"content", std::move(content)}};
}

}  // namespace aurite::cli
