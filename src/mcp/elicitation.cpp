#include "aurite/mcp/elicitation.hpp"

#include <algorithm>

namespace aurite::mcp {
namespace {

bool has_type(const Json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "array") return value.is_array();
  return true;  // a type form mode does not define: not ours to refuse
}

// The values a property allows, from `enum` or from `oneOf` of {const, title}.
std::vector<Json> allowed_values(const Json& property) {
  std::vector<Json> values;
  if (property.contains("enum") && property["enum"].is_array()) {
    for (const auto& value : property["enum"]) values.push_back(value);
  } else if (property.contains("oneOf") && property["oneOf"].is_array()) {
    for (const auto& option : property["oneOf"]) {
      if (option.is_object() && option.contains("const")) values.push_back(option["const"]);
    }
  }
  return values;
}

}  // namespace

bool ElicitationRequest::url_mode() const { return params.is_object() && params.value("mode", "form") == "url"; }

std::string ElicitationRequest::message() const {
  return params.is_object() && params.contains("message") && params["message"].is_string()
             ? params["message"].get<std::string>()
             : "";
}

Json ElicitationRequest::requested_schema() const {
  if (url_mode() || !params.is_object()) return Json::object();
  const Json schema = params.value("requestedSchema", Json::object());
  return schema.is_object() ? schema : Json::object();
}

Json declined_elicitation() { return {{"action", "decline"}}; }

Json schema_defaults(const Json& requested_schema) {
  Json content = Json::object();
  const Json properties = requested_schema.is_object() ? requested_schema.value("properties", Json::object()) : Json();
  if (!properties.is_object()) return content;
  for (const auto& [name, property] : properties.items()) {
    if (property.is_object() && property.contains("default")) content[name] = property["default"];
  }
  return content;
}

std::string elicitation_answer_problem(const ElicitationRequest& request, const Json& answer) {
  if (!answer.is_object()) return "the answer must be an object";
  const std::string action = answer.value("action", "");
  if (action != "accept" && action != "decline" && action != "cancel") {
    return "action: expected \"accept\", \"decline\" or \"cancel\"";
  }
  if (action != "accept" || request.url_mode()) return "";
  if (!answer.contains("content") || !answer["content"].is_object()) return "content: expected an object";
  const Json& content = answer["content"];
  const Json schema = request.requested_schema();
  const Json properties = schema.value("properties", Json::object());
  for (const auto& required : schema.value("required", Json::array())) {
    if (required.is_string() && !content.contains(required.get<std::string>())) {
      return "content." + required.get<std::string>() + ": required";
    }
  }
  for (const auto& [name, value] : content.items()) {
    if (!properties.contains(name)) return "content." + name + ": not in the requested schema";
    const Json& property = properties[name];
    const std::string type = property.is_object() ? property.value("type", "") : "";
    if (!type.empty() && !has_type(value, type)) return "content." + name + ": expected " + type;
    const auto allowed = allowed_values(property);
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      return "content." + name + ": not one of the values the schema allows";
    }
  }
  return "";
}

}  // namespace aurite::mcp
