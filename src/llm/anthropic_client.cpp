// The Anthropic Messages API. Our canonical messages are its content blocks, so the
// request carries them as they are; streaming rebuilds the same blocks from events.
#include "llm/providers.hpp"

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/net/sse_parser.hpp"
#include "llm/http_json_client.hpp"

namespace aurite::llm::detail {
namespace {
// Named as well, so that the two wire formats keep apart when compiled as one unit.
namespace anthropic {

constexpr const char* kDefaultBaseUrl = "https://api.anthropic.com";
constexpr const char* kApiVersion = "2023-06-01";

Json request_body(const ModelRequest& request, bool stream) {
  Json body = {{"model", request.model}, {"max_tokens", request.max_tokens}, {"messages", Json::array()}};
  if (request.system) body["system"] = *request.system;
  if (request.temperature) body["temperature"] = *request.temperature;
  for (const auto& message : request.messages) body["messages"].push_back(to_json(message));
  if (!request.tools.empty()) {
    body["tools"] = Json::array();
    for (const auto& tool : request.tools) {
      body["tools"].push_back({{"name", tool.name}, {"description", tool.description}, {"input_schema", tool.input_schema}});
    }
  }
  if (stream) body["stream"] = true;
  return body;
}

ModelResponse response_from(const Json& json) {
  if (!json.is_object() || !json.contains("content") || !json["content"].is_array()) {
    throw Error(ErrorCode::kProtocol, "anthropic: the answer has no content array: " + json.dump().substr(0, 200));
  }
  ModelResponse response;
  response.message = {"assistant", json["content"]};
  response.stop_reason = json.value("stop_reason", "end_turn");
  if (json.contains("usage") && json["usage"].is_object()) {
    response.usage.input_tokens = provider_integer(json, "/usage/input_tokens"_json_pointer, "anthropic", 0);
    response.usage.output_tokens = provider_integer(json, "/usage/output_tokens"_json_pointer, "anthropic", 0);
  }
  return response;
}

// Rebuilds a message from message_start / content_block_* / message_delta events.
class StreamAssembler final : public StreamDecoder {
 public:
  explicit StreamAssembler(const TextDeltaHandler& on_text) : StreamDecoder("anthropic"), on_text_(on_text) {}

  ModelResponse finish() override {
    if (!stopped_) throw Error(ErrorCode::kProtocol, "anthropic: the stream ended before message_stop");
    response_.message.role = "assistant";
    response_.message.content = Json::array();
    for (auto& [index, block] : blocks_) response_.message.content.push_back(std::move(block));
    return std::move(response_);
  }

 private:
  void decode(const SseEvent& event) override {
    if (event.event == "ping") return;
    const Json data = Json::parse(event.data, nullptr, false);
    if (data.is_discarded()) throw Error(ErrorCode::kProtocol, "anthropic: stream event is not JSON: " + event.data.substr(0, 200));
    const std::string type = data.value("type", event.event);
    if (type == "error") {
      throw Error(ErrorCode::kUnavailable,
                  "anthropic: error in stream: " + data.value("/error/message"_json_pointer, std::string("unknown")));
    }
    if (type == "message_start") {
      response_.usage.input_tokens = provider_integer(data, "/message/usage/input_tokens"_json_pointer, "anthropic", 0);
    } else if (type == "content_block_start") {
      Json block = data.at("content_block");
      // The blocks become the stored message and the next request: each needs its type.
      if (!block.is_object() || !block.contains("type") || !block["type"].is_string()) {
        throw Error(ErrorCode::kProtocol, "anthropic: content_block_start without a typed content block");
      }
      const std::size_t index = index_of(data);
      if (block["type"] == "tool_use") {
        block["input"] = Json::object();
        partial_json_.emplace(index, "");
      }
      blocks_[index] = block;
    } else if (type == "content_block_delta") {
      const std::size_t index = index_of(data);
      if (!blocks_.contains(index)) {
        throw Error(ErrorCode::kProtocol,
                    "anthropic: content_block_delta for block " + std::to_string(index) + ", which was not started");
      }
      const Json& delta = data.at("delta");
      const std::string delta_type = delta.value("type", "");
      if (delta_type == "text_delta") {
        const std::string text = delta.value("text", "");
        blocks_[index]["text"] = blocks_[index].value("text", "") + text;
        if (on_text_) on_text_(text);
      } else if (delta_type == "input_json_delta") {
        partial_json_[index] += delta.value("partial_json", "");
      }
    } else if (type == "content_block_stop") {
      const std::size_t index = index_of(data);
      if (auto it = partial_json_.find(index); it != partial_json_.end() && !it->second.empty()) {
        const Json input = Json::parse(it->second, nullptr, false);
        if (input.is_discarded()) throw Error(ErrorCode::kProtocol, "anthropic: tool input in stream is not JSON");
        blocks_[index]["input"] = input;
      }
    } else if (type == "message_delta") {
      response_.stop_reason = data.value("/delta/stop_reason"_json_pointer, std::string("end_turn"));
      response_.usage.output_tokens = provider_integer(data, "/usage/output_tokens"_json_pointer, "anthropic", 0);
    } else if (type == "message_stop") {
      stopped_ = true;
    }
  }

  static std::size_t index_of(const Json& event) {
    return static_cast<std::size_t>(provider_integer(event, "/index"_json_pointer, "anthropic"));
  }

  const TextDeltaHandler& on_text_;
  std::map<std::size_t, Json> blocks_;
  std::map<std::size_t, std::string> partial_json_;
  ModelResponse response_;
  bool stopped_ = false;
};

class AnthropicClient : public LlmClient {
 public:
  AnthropicClient(const ProviderSettings& settings, const std::string& api_key)
      : http_("anthropic", settings.base_url.value_or(kDefaultBaseUrl),
              {{"x-api-key", api_key}, {"anthropic-version", kApiVersion}}, settings) {}

  ModelResponse complete(const ModelRequest& request, const TextDeltaHandler& on_text) override {
    if (!on_text) return response_from(http_.post("/v1/messages", request_body(request, false), request.cancel));
    StreamAssembler assembler(on_text);
    SseParser parser([&assembler](const SseEvent& event) { assembler.on_event(event); });
    http_.post_stream("/v1/messages", request_body(request, true), [&parser](std::string_view chunk) { parser.feed(chunk); }, request.cancel);
    parser.finish();
    return assembler.finish();
  }

 private:
  HttpJsonClient http_;
};

}  // namespace anthropic
}  // namespace

std::unique_ptr<StreamDecoder> make_anthropic_stream_decoder(const TextDeltaHandler& on_text) {
  return std::make_unique<anthropic::StreamAssembler>(on_text);
}

std::unique_ptr<LlmClient> make_anthropic_client(const ProviderSettings& settings, const std::string& api_key) {
  return std::make_unique<anthropic::AnthropicClient>(settings, api_key);
}

}  // namespace aurite::llm::detail
