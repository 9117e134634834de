#include "aurite/llm/message.hpp"

#include "aurite/common/error.hpp"

namespace aurite::llm {

Json text_block(const std::string& text) { return {{"type", "text"}, {"text", text}}; }

Json tool_use_block(const std::string& id, const std::string& name, const Json& input) {
  return {{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", input}};
}

Json tool_result_block(const std::string& tool_use_id, const Json& content, bool is_error) {
  Json block = {{"type", "tool_result"}, {"tool_use_id", tool_use_id}, {"content", content}};
  if (is_error) block["is_error"] = true;
  return block;
}

Message user_text(const std::string& text) { return {"user", Json::array({text_block(text)})}; }

std::string text_of(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const auto& block : content) {
    std::string part;
    const auto type = block.value("type", "");
    if (type == "text") part = block.value("text", "");
    if (type == "tool_result" && block.contains("content")) part = text_of(block["content"]);
    if (part.empty()) continue;
    if (!out.empty()) out += '\n';
    out += part;
  }
  return out;
}

std::vector<Json> tool_uses_of(const Message& message) {
  std::vector<Json> out;
  for (const auto& block : message.content) {
    if (block.value("type", "") == "tool_use") out.push_back(block);
  }
  return out;
}

bool is_tool_result_message(const Message& message) {
  if (message.role != "user" || !message.content.is_array()) return false;
  for (const auto& block : message.content) {
    if (block.value("type", "") == "tool_result") return true;
  }
  return false;
}

Json to_json(const Message& message) { return {{"role", message.role}, {"content", message.content}}; }

Message message_from_json(const Json& json) {
  if (!json.is_object() || !json.contains("role") || !json["role"].is_string() || !json.contains("content")) {
    throw Error(ErrorCode::kProtocol, "not a message (needs a role and content): " + json.dump().substr(0, 200));
  }
  Message message{json["role"].get<std::string>(), json["content"]};
  if (message.content.is_string()) message.content = Json::array({text_block(message.content.get<std::string>())});
  if (!message.content.is_array()) {
    throw Error(ErrorCode::kProtocol, "message content must be an array of blocks or a string");
  }
  return message;
}

}  // namespace aurite::llm
