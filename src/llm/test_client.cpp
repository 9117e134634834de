// The "test" provider: a deterministic model for offline runs, demos and tests.
// To a new user message it answers by calling every available tool once, with
// arguments built from the tool's input schema, the user's words going into the string
// arguments that ask for a place or a text (llm/user_words.hpp); to tool results it
// answers with text built from them (or JSON matching the response schema when one is set).
#include <fmt/format.h>

#include "aurite/llm/schema_example.hpp"
#include "llm/providers.hpp"
#include "llm/user_words.hpp"

namespace aurite::llm::detail {
namespace {

int64_t approximate_tokens(const Json& value) { return static_cast<int64_t>(value.dump().size() / 4 + 1); }

// "tool_name: result text" for each tool result of the last message.
std::string summarise_results(const std::vector<Message>& messages) {
  const Message& last = messages.back();
  std::map<std::string, std::string> names;  // tool_use_id -> tool name
  if (messages.size() >= 2) {
    for (const auto& use : tool_uses_of(messages[messages.size() - 2])) names[use.value("id", "")] = use.value("name", "");
  }
  std::string summary;
  for (const auto& block : last.content) {
    if (block.value("type", "") != "tool_result") continue;
    std::string text = text_of(block.value("content", Json::array()));
    if (text.size() > 300) text = text.substr(0, 300) + "...";
    summary += fmt::format("- {}{}: {}\n", names[block.value("tool_use_id", "")],
                           block.value("is_error", false) ? " (error)" : "", text);
  }
  return summary;
}

class TestClient : public LlmClient {
 public:
  ModelResponse complete(const ModelRequest& request, const TextDeltaHandler& on_text) override {
    ModelResponse response;
    response.message.role = "assistant";
    const bool fresh_question = !request.messages.empty() && request.messages.back().role == "user" &&
                                !is_tool_result_message(request.messages.back());
    if (fresh_question && !request.tools.empty()) {
      for (std::size_t i = 0; i < request.tools.size(); ++i) {
        const auto& tool = request.tools[i];
        const std::string id = fmt::format("toolu_test_{}_{}", request.messages.size(), i);
        response.message.content.push_back(tool_use_block(id, tool.name, arguments_from_words(tool.input_schema, request.messages)));
      }
      response.stop_reason = "tool_use";
    } else {
      const std::string text = answer(request);
      if (on_text) {
        for (std::size_t at = 0; at < text.size(); at += 16) on_text(text.substr(at, 16));
      }
      response.message.content.push_back(text_block(text));
      response.stop_reason = "end_turn";
    }
    Json all = Json::array();
    for (const auto& m : request.messages) all.push_back(to_json(m));
    response.usage = {approximate_tokens(all), approximate_tokens(response.message.content)};
    return response;
  }

 private:
  static std::string answer(const ModelRequest& request) {
    if (request.messages.empty()) return "Hello.";
    const bool after_tools = is_tool_result_message(request.messages.back());
    const std::string results = after_tools ? summarise_results(request.messages) : "";
    if (request.response_schema) {
      return example_for_schema(*request.response_schema, after_tools ? results : text_of(request.messages.back().content)).dump();
    }
    const std::string body = after_tools ? "Tool results:\n" + results
                                         : "You said: " + text_of(request.messages.back().content) + "\n";
    return fmt::format("{}(This conversation has {} earlier message{}.)", body, request.messages.size() - 1,
                       request.messages.size() == 2 ? "" : "s");
  }
};

}  // namespace

std::unique_ptr<LlmClient> make_test_client() { return std::make_unique<TestClient>(); }

}  // namespace aurite::llm::detail
