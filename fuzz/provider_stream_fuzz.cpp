// Fuzz target: the streamed answers of the model providers, decoded offline: an event
// stream through SseParser into the Anthropic or the OpenAI stream decoder
// (llm/providers.hpp), as AnthropicClient and OpenAiClient do with the network's bytes.
// The first byte chooses the provider (even: Anthropic, odd: OpenAI); the rest is the
// stream.
//
// Properties beyond "no crash":
// - a stream the provider could have sent wrong fails with aurite::Error only (kProtocol
//   or kUnavailable), never with the JSON library's exceptions, which would surface as an
//   internal error;
// - an answer that decodes is an assistant message whose content is an array of blocks
//   that each have a type.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aurite/common/error.hpp"
#include "aurite/net/sse_parser.hpp"
#include "fuzz_support.hpp"
#include "llm/providers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool anthropic = data[0] % 2 == 0;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string streamed_text;
  const aurite::llm::TextDeltaHandler on_text = [&streamed_text](const std::string& delta) { streamed_text += delta; };
  const auto decoder = anthropic ? aurite::llm::detail::make_anthropic_stream_decoder(on_text)
                                 : aurite::llm::detail::make_openai_stream_decoder(on_text);
  aurite::llm::ModelResponse response;
  try {
    aurite::net::SseParser parser([&decoder](const aurite::net::SseEvent& event) { decoder->on_event(event); });
    parser.feed(stream);
    parser.finish();
    response = decoder->finish();
  } catch (const aurite::Error& error) {
    const auto code = error.code();
    if (code != aurite::ErrorCode::kProtocol && code != aurite::ErrorCode::kUnavailable) {
      aurite::fuzz::fail(std::string("a bad stream failed with an unexpected code: ") + error.what());
    }
    return 0;
  }
  if (response.message.role != "assistant") aurite::fuzz::fail("a decoded answer is not the assistant's");
  if (!response.message.content.is_array()) aurite::fuzz::fail("a decoded answer's content is not an array");
  for (const auto& block : response.message.content) {
    if (!block.is_object() || !block.contains("type")) aurite::fuzz::fail("a content block without a type: " + block.dump());
  }
  return 0;
}
