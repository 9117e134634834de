// The stateless revision's fixtures of aurite-example-conformance-server: handlers that
// ask the client for input through InputRequired results (SEP-2322) instead of
// requests of their own, and the diagnostic tools of the server-stateless scenario.
#include <map>
#include <optional>
#include <string>

#include "aurite/mcp/server.hpp"
#include "conformance_fixtures.hpp"

namespace conformance {
namespace {

using aurite::mcp::McpServer;

Json elicitation_request(const std::string& message, const std::string& field, const std::string& type) {
  return {{"method", "elicitation/create"},
          {"params", {{"message", message},
                      {"requestedSchema", {{"type", "object"},
                                           {"properties", {{field, {{"type", type}}}}},
                                           {"required", {field}}}}}}};
}

Json sampling_request(const std::string& text, int max_tokens) {
  return {{"method", "sampling/createMessage"},
          {"params", {{"messages", Json::array({user_text_content(text)})}, {"maxTokens", max_tokens}}}};
}

const Json kRootsRequest = {{"method", "roots/list"}, {"params", Json::object()}};

// The client's answer to `key`, if it gave one that is an object (anything else is
// asked for again).
std::optional<Json> answer_to(McpServer& server, const std::string& key) {
  const Json responses = server.input_responses();
  if (!responses.contains(key) || !responses[key].is_object()) return std::nullopt;
  return responses[key];
}

// Asks for every request of `wanted` not answered yet; returns the answers when all are.
std::map<std::string, Json> answers_or_ask(McpServer& server, const Json& wanted, const std::string& state = "") {
  std::map<std::string, Json> answers;
  aurite::mcp::InputRequired missing{Json::object(), state};
  for (const auto& [key, request] : wanted.items()) {
    if (auto answer = answer_to(server, key)) answers[key] = *answer;
    else missing.input_requests[key] = request;
  }
  if (!missing.input_requests.empty()) throw missing;
  return answers;
}

std::string elicited(const Json& answer, const std::string& field) {
  const Json content = answer.value("content", Json::object());
  return content.contains(field) ? (content[field].is_string() ? content[field].get<std::string>() : content[field].dump())
                                 : "(no " + field + ")";
}

std::string sampled_text(const Json& answer) {
  const Json content = answer.value("content", Json::object());
  return content.is_object() ? content.value("text", "") : "";
}

}  // namespace

void add_multi_round_fixtures(McpServer& server) {
  server.add_tool({"test_input_required_result_elicitation", "Asks the user's name, then greets them.", kNoArguments,
                   [&server](const Json&) {
                     const auto answers = answers_or_ask(server, {{"user_name", elicitation_request("What is your name?", "name", "string")}});
                     return aurite::mcp::text_result("Hello, " + elicited(answers.at("user_name"), "name") + "!");
                   }});
  server.add_tool({"test_input_required_result_sampling", "Asks the client's model a question.", kNoArguments,
                   [&server](const Json&) {
                     const auto answers = answers_or_ask(
                         server, {{"capital_question", sampling_request("What is the capital of France?", 100)}});
                     return aurite::mcp::text_result("The model answered: " + sampled_text(answers.at("capital_question")));
                   }});
  server.add_tool({"test_input_required_result_list_roots", "Asks for the client's roots.", kNoArguments,
                   [&server](const Json&) {
                     const auto answers = answers_or_ask(server, {{"client_roots", kRootsRequest}});
                     std::string text = "Client roots:";
                     for (const auto& root : answers.at("client_roots").value("roots", Json::array())) {
                       text += ' ';  // apart: `" " + string` trips GCC 12's -Wrestrict (bug 105329)
                       text += root.value("uri", "");
                     }
                     return aurite::mcp::text_result(text);
                   }});
  server.add_tool({"test_input_required_result_request_state", "Asks for a confirmation, keeping sealed state.",
                   kNoArguments, [&server](const Json&) {
                     const std::string echoed = server.request_state();
                     if (echoed.empty() || !server.input_responses().contains("confirm")) {
                       throw aurite::mcp::InputRequired{
                           {{"confirm", elicitation_request("Please confirm", "ok", "boolean")}}, server.seal_state("confirm")};
                     }
                     if (server.open_state(echoed) != "confirm") {
                       throw aurite::mcp::RequestRejected{-32602, "requestState failed its integrity check"};
                     }
                     return aurite::mcp::text_result("state-ok: confirmed");
                   }});
  server.add_tool({"test_input_required_result_multiple_inputs", "Asks for a name, a greeting and the roots at once.",
                   kNoArguments, [&server](const Json&) {
                     const Json wanted = {{"user_name", elicitation_request("What is your name?", "name", "string")},
                                          {"greeting", sampling_request("Generate a greeting", 50)},
                                          {"client_roots", kRootsRequest}};
                     const auto answers = answers_or_ask(server, wanted, server.seal_state("multiple"));
                     return aurite::mcp::text_result(sampled_text(answers.at("greeting")) + ", " +
                                                     elicited(answers.at("user_name"), "name") + " (" +
                                                     std::to_string(answers.at("client_roots").value("roots", Json::array()).size()) +
                                                     " roots)");
                   }});
  server.add_tool({"test_input_required_result_multi_round", "Asks two questions, one round each.", kNoArguments,
                   [&server](const Json&) {
                     const auto round = server.open_state(server.request_state());
                     if (round == "step2" && answer_to(server, "step2")) {
                       return aurite::mcp::text_result("Thanks! Your favorite color is " +
                                                       elicited(*answer_to(server, "step2"), "color") + ".");
                     }
                     if (round == "step1" && answer_to(server, "step1")) {
                       throw aurite::mcp::InputRequired{
                           {{"step2", elicitation_request("Step 2: What is your favorite color?", "color", "string")}},
                           server.seal_state("step2")};
                     }
                     throw aurite::mcp::InputRequired{
                         {{"step1", elicitation_request("Step 1: What is your name?", "name", "string")}}, server.seal_state("step1")};
                   }});
  server.add_tool({"test_input_required_result_tampered_state", "Refuses request state it did not seal.", kNoArguments,
                   [&server](const Json&) {
                     const std::string echoed = server.request_state();
                     if (echoed.empty()) {
                       throw aurite::mcp::InputRequired{
                           {{"confirm", elicitation_request("Please confirm", "ok", "boolean")}}, server.seal_state("sealed")};
                     }
                     if (server.open_state(echoed) != "sealed") {
                       throw aurite::mcp::RequestRejected{-32602, "requestState failed its integrity check"};
                     }
                     return aurite::mcp::text_result("state-ok");
                   }});
  server.add_tool({"test_input_required_result_capabilities", "Asks only what the client declared it can answer.",
                   kNoArguments, [&server](const Json&) {
                     const Json capabilities = server.client_capabilities();
                     Json wanted = Json::object();
                     if (capabilities.contains("sampling")) wanted["greeting"] = sampling_request("Generate a greeting", 50);
                     if (capabilities.contains("elicitation")) {
                       wanted["user_name"] = elicitation_request("What is your name?", "name", "string");
                     }
                     if (capabilities.contains("roots")) wanted["client_roots"] = kRootsRequest;
                     answers_or_ask(server, wanted);
                     return aurite::mcp::text_result("Done with what the client supports");
                   }});
  server.add_tool({"test_missing_capability", "Needs the client's sampling capability.", kNoArguments,
                   [&server](const Json&) {
                     server.require_client_capability("sampling");
                     const auto answers = answers_or_ask(server, {{"question", sampling_request("Say hello", 20)}});
                     return aurite::mcp::text_result(sampled_text(answers.at("question")));
                   }});
  server.add_tool({"test_logging_tool", "Logs a message (sent only when the request asked for logs).", kNoArguments,
                   [&server](const Json&) {
                     server.log("info", "test_logging_tool ran");
                     return aurite::mcp::text_result("Logged");
                   }});
  server.add_tool({"test_streaming_elicitation", "Reports progress, then asks the user for a name.", kNoArguments,
                   [&server](const Json&) {
                     server.report_progress(1, 2);
                     const auto answers = answers_or_ask(server, {{"user_name", elicitation_request("What is your name?", "name", "string")}});
                     return aurite::mcp::text_result("Hello, " + elicited(answers.at("user_name"), "name") + "!");
                   }});
  server.add_prompt({"test_input_required_result_prompt", "A prompt that first asks the user for context.", Json::array(),
                     [&server](const Json&) {
                       const auto answers = answers_or_ask(
                           server, {{"user_context", elicitation_request("What context should the prompt use?", "context", "string")}});
                       return Json::array({user_text_content("Write with this context: " + elicited(answers.at("user_context"), "context"))});
                     }});
}

}  // namespace conformance
