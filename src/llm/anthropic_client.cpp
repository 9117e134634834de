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

// Members a `usage` object lacks leave what `usage` holds: a stream's message_delta
// repeats only some of those of its message_start. `at` is where the usage object is in
// `json` ("/usage"), so that an error names the whole path of the member.
void read_usage(const Json& json, const std::string& at, Usage& usage) {
  if (!json.contains(Json::json_pointer(at)) || !json.at(Json::json_pointer(at)).is_object()) return;
  const auto read = [&](const char* member, int64_t& into) {
    into = provider_integer(json, Json::json_pointer(at + "/" + member), "anthropic", into);
  };
  read("input_tokens", usage.input_tokens);
  read("output_tokens", usage.output_tokens);
  read("cache_read_input_tokens", usage.cache_read_tokens);
  read("cache_creation_input_tokens", usage.cache_write_tokens);
}

ModelResponse response_from(const Json& json) {
  if (!json.is_object() || !json.contains("content") || !json["content"].is_array()) {
    throw Error(ErrorCode::kProtocol, "anthropic: the answer has no content array: " + json.dump().substr(0, 200));
  }
  ModelResponse response;
  response.message = {"assistant", json["content"]};
  response.stop_reason = json.value("stop_reason", "end_turn");
  read_usage(json, "/usage", response.usage);
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
      read_usage(data, "/message/usage", response_.usage);
    } else if (type == "content_block_start") {
      mark_first_token();
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
      read_usage(data, "/usage", response_.usage);
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
    return assembler.stream(http_, "/v1/messages", request_body(request, true), request.cancel);
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
