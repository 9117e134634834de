// OpenAI Chat Completions, and every server that speaks it (Ollama, vLLM, llama.cpp
// server, LM Studio). Canonical content blocks map to chat messages and back without
// loss for text and tool calls: tool_use <-> tool_calls, tool_result <-> role "tool".
#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/net/sse_parser.hpp"
#include "llm/http_json_client.hpp"
#include "llm/providers.hpp"

namespace aurite::llm::detail {
namespace {
// Named as well, so that the two wire formats keep apart when compiled as one unit.
namespace openai {

constexpr const char* kDefaultBaseUrl = "https://api.openai.com/v1";

std::string stop_reason_of(const std::string& finish_reason) {
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "length") return "max_tokens";
  return "end_turn";
}

std::string tool_result_text(const Json& block) {
  const std::string text = text_of(block.value("content", Json::array()));
  return block.value("is_error", false) ? "Error: " + text : text;
}

// A user message's text and image blocks as chat content: a plain string when it is only
// text, else an array of parts.
Json user_content(const std::vector<Json>& blocks) {
  bool only_text = true;
  for (const auto& b : blocks) only_text = only_text && b.value("type", "") == "text";
  if (only_text) return text_of(Json(blocks));
  Json parts = Json::array();
  for (const auto& b : blocks) {
    if (b.value("type", "") == "text") parts.push_back({{"type", "text"}, {"text", b.value("text", "")}});
    if (b.value("type", "") == "image") {
      const Json& source = b.at("source");
      parts.push_back({{"type", "image_url"},
                       {"image_url", {{"url", fmt::format("data:{};base64,{}", source.value("media_type", "image/png"),
                                                          source.value("data", ""))}}}});
    }
  }
  return parts;
}

void append_chat_messages(const Message& message, Json& out) {
  if (message.role == "assistant") {
    Json chat = {{"role", "assistant"}, {"content", nullptr}};
    const std::string text = text_of(message.content);
    if (!text.empty()) chat["content"] = text;
    for (const auto& block : tool_uses_of(message)) {
      chat["tool_calls"].push_back({{"id", block.at("id")},
                                    {"type", "function"},
                                    {"function", {{"name", block.at("name")}, {"arguments", block.value("input", Json::object()).dump()}}}});
    }
    out.push_back(std::move(chat));
    return;
  }
  // Tool results become role "tool" messages, in order; other blocks a user message after
  // them. A "tool" message carries text only, so the images of tool results go in that
  // user message, introduced by the ids of the calls they came from.
  std::vector<Json> images;
  std::vector<Json> rest;
  for (const auto& block : message.content) {
    if (block.value("type", "") == "tool_result") {
      out.push_back({{"role", "tool"}, {"tool_call_id", block.at("tool_use_id")}, {"content", tool_result_text(block)}});
      const Json content = block.value("content", Json::array());
      for (const auto& part : content.is_array() ? content : Json::array()) {
        if (part.value("type", "") != "image") continue;
        images.push_back(text_block(fmt::format("Image returned by tool call {}:", block.at("tool_use_id").dump())));
        images.push_back(part);
      }
    } else {
      rest.push_back(block);
    }
  }
  rest.insert(rest.begin(), images.begin(), images.end());
  if (!rest.empty()) out.push_back({{"role", message.role}, {"content", user_content(rest)}});
}

Json request_body(const ModelRequest& request, bool stream) {
  Json messages = Json::array();
  if (request.system) messages.push_back({{"role", "system"}, {"content", *request.system}});
  for (const auto& message : request.messages) append_chat_messages(message, messages);
  Json body = {{"model", request.model}, {"messages", messages}, {"max_tokens", request.max_tokens}};
  if (request.temperature) body["temperature"] = *request.temperature;
  for (const auto& tool : request.tools) {
    body["tools"].push_back({{"type", "function"},
                             {"function", {{"name", tool.name}, {"description", tool.description}, {"parameters", tool.input_schema}}}});
  }
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

Json parse_arguments(const std::string& arguments) {
  if (arguments.empty()) return Json::object();
  Json input = Json::parse(arguments, nullptr, false);
  if (input.is_discarded()) {
    throw Error(ErrorCode::kProtocol, "openai: tool call arguments are not JSON: " + arguments.substr(0, 200));
  }
  return input;
}

// prompt_tokens counts the cached ones too; ours are those not read from the cache.
Usage usage_from(const Json& object) {
  Usage usage;
  const int64_t prompt = provider_integer(object, "/prompt_tokens"_json_pointer, "openai", 0);
  // Compatible servers send the details as null, or leave them out.
  const auto cached = "/prompt_tokens_details/cached_tokens"_json_pointer;
  if (object.contains(cached) && !object[cached].is_null()) {
    usage.cache_read_tokens = provider_integer(object, cached, "openai");
  }
  usage.input_tokens = prompt > usage.cache_read_tokens ? prompt - usage.cache_read_tokens : 0;
  usage.output_tokens = provider_integer(object, "/completion_tokens"_json_pointer, "openai", 0);
  return usage;
}

ModelResponse response_from(const Json& json) {
  const Json* message = nullptr;
  if (json.is_object() && json.contains("choices") && json["choices"].is_array() && !json["choices"].empty()) {
    message = &json["choices"][0]["message"];
  }
  if (message == nullptr || !message->is_object()) {
    throw Error(ErrorCode::kProtocol, "openai: the answer has no choices[0].message: " + json.dump().substr(0, 200));
  }
  ModelResponse response;
  response.message.role = "assistant";
  if (message->contains("content") && (*message)["content"].is_string() && !(*message)["content"].get<std::string>().empty()) {
    response.message.content.push_back(text_block((*message)["content"].get<std::string>()));
  }
  if (message->contains("tool_calls") && (*message)["tool_calls"].is_array()) {
    for (const auto& call : (*message)["tool_calls"]) {
      response.message.content.push_back(tool_use_block(call.value("id", ""), call.at("function").value("name", ""),
                                                        parse_arguments(call.at("function").value("arguments", ""))));
    }
  }
  response.stop_reason = stop_reason_of(json["choices"][0].value("finish_reason", "stop"));
  if (json.contains("usage") && json["usage"].is_object()) response.usage = usage_from(json["usage"]);
  return response;
}

// Rebuilds the answer from chat.completion.chunk events ending with "data: [DONE]".
class StreamAssembler final : public StreamDecoder {
 public:
  explicit StreamAssembler(const TextDeltaHandler& on_text) : StreamDecoder("openai"), on_text_(on_text) {}

  ModelResponse finish() override {
    if (!done_ && finish_reason_.empty()) throw Error(ErrorCode::kProtocol, "openai: the stream ended before [DONE]");
    ModelResponse response;
    response.message.role = "assistant";
    if (!text_.empty()) response.message.content.push_back(text_block(text_));
    for (const auto& [index, call] : calls_) {
      response.message.content.push_back(tool_use_block(call.id, call.name, parse_arguments(call.arguments)));
    }
    response.stop_reason = stop_reason_of(finish_reason_);
    response.usage = usage_;
    return response;
  }

 private:
  void decode(const SseEvent& event) override {
    if (event.data == "[DONE]") {
      done_ = true;
      return;
    }
    const Json chunk = Json::parse(event.data, nullptr, false);
    if (chunk.is_discarded()) throw Error(ErrorCode::kProtocol, "openai: stream chunk is not JSON: " + event.data.substr(0, 200));
    if (chunk.contains("error")) {
      // Compatible servers also send the error as plain text.
      const Json& error = chunk["error"];
      const bool has_message = error.is_object() && error.contains("message") && error["message"].is_string();
      throw Error(ErrorCode::kUnavailable, "openai: error in stream: " +
                                               (has_message ? error["message"].get<std::string>()
                                                            : error.is_string() ? error.get<std::string>() : error.dump()));
    }
    if (chunk.contains("usage") && chunk["usage"].is_object()) usage_ = usage_from(chunk["usage"]);
    if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) return;
    const Json& choice = chunk["choices"][0];
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) finish_reason_ = choice["finish_reason"];
    if (!choice.contains("delta")) return;
    const Json& delta = choice["delta"];
    if ((delta.contains("content") && delta["content"].is_string() && !delta["content"].get_ref<const std::string&>().empty()) ||
        delta.contains("tool_calls")) {
      mark_first_token();
    }
    if (delta.contains("content") && delta["content"].is_string()) {
      const std::string piece = delta["content"];
      text_ += piece;
      if (on_text_ && !piece.empty()) on_text_(piece);
    }
    if (delta.contains("tool_calls") && delta["tool_calls"].is_array()) {
      for (const auto& call : delta["tool_calls"]) {
        auto& slot = calls_[static_cast<std::size_t>(provider_integer(call, "/index"_json_pointer, "openai", 0))];
        if (call.contains("id") && call["id"].is_string()) slot.id = call["id"];
        if (call.contains("function")) {
          const Json& function = call["function"];
          if (function.contains("name") && function["name"].is_string()) slot.name += function["name"].get<std::string>();
          if (function.contains("arguments") && function["arguments"].is_string()) slot.arguments += function["arguments"].get<std::string>();
        }
      }
    }
  }

  struct ToolCall {
    std::string id, name, arguments;
  };
  const TextDeltaHandler& on_text_;
  std::string text_;
  std::map<std::size_t, ToolCall> calls_;
  std::string finish_reason_;
  Usage usage_;
  bool done_ = false;
};

class OpenAiClient : public LlmClient {
 public:
  OpenAiClient(const ProviderSettings& settings, const std::optional<std::string>& api_key)
      : http_("openai", settings.base_url.value_or(kDefaultBaseUrl), headers_for(api_key), settings) {}

  ModelResponse complete(const ModelRequest& request, const TextDeltaHandler& on_text) override {
    if (!on_text) return response_from(http_.post("/chat/completions", request_body(request, false), request.cancel));
    StreamAssembler assembler(on_text);
    return assembler.stream(http_, "/chat/completions", request_body(request, true), request.cancel);
  }

 private:
  static std::map<std::string, std::string> headers_for(const std::optional<std::string>& api_key) {
    if (!api_key) return {};
    return {{"Authorization", "Bearer " + *api_key}};
  }

  HttpJsonClient http_;
};

}  // namespace openai
}  // namespace

std::unique_ptr<StreamDecoder> make_openai_stream_decoder(const TextDeltaHandler& on_text) {
  return std::make_unique<openai::StreamAssembler>(on_text);
}

Json openai_request_body(const ModelRequest& request) { return openai::request_body(request, false); }
ModelResponse openai_response_from(const Json& json) { return openai::response_from(json); }

std::unique_ptr<LlmClient> make_openai_client(const ProviderSettings& settings, const std::optional<std::string>& api_key) {
  return std::make_unique<openai::OpenAiClient>(settings, api_key);
}

}  // namespace aurite::llm::detail
