// llm/message — the canonical conversation model: Anthropic-style content blocks.
//
// A message is {"role": "user"|"assistant", "content": [blocks]} and a block is one of
//   {"type": "text", "text": ...}
//   {"type": "tool_use", "id": ..., "name": ..., "input": {...}}
//   {"type": "tool_result", "tool_use_id": ..., "content": [blocks] | "text", "is_error"?: bool}
//   {"type": "image", "source": {"type": "base64", "media_type": ..., "data": ...}}
// This is the JSON stored as history and sent to every provider (each maps it to its
// own wire format), so a conversation moves between providers and storage unchanged.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace aurite::llm {

using Json = nlohmann::json;

struct Message {
  std::string role;                  // "user" or "assistant"
  Json content = Json::array();      // content blocks

  friend bool operator==(const Message&, const Message&) = default;
};

// A tool as the model sees it.
struct ToolSpec {
  std::string name;
  std::string description;
  Json input_schema = Json::object();  // JSON Schema of the arguments
};

Json text_block(const std::string& text);
Json tool_use_block(const std::string& id, const std::string& name, const Json& input);
Json tool_result_block(const std::string& tool_use_id, const Json& content, bool is_error);

Message user_text(const std::string& text);

// The text blocks of `content` joined with newlines (tool results' text included).
std::string text_of(const Json& content);
// The tool_use blocks of an assistant message.
std::vector<Json> tool_uses_of(const Message& message);
// True for a user message carrying tool results (the second half of a tool call pair).
bool is_tool_result_message(const Message& message);

Json to_json(const Message& message);
// Throws Error(kProtocol) when `json` is not a message with a role and a content array
// (a plain string content is accepted and turned into one text block).
Message message_from_json(const Json& json);

}  // namespace aurite::llm
