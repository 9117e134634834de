// aurite-example-conformance-server [--http HOST:PORT]: an MCP server with the fixtures
// the MCP conformance suite's server scenarios call (scripts/mcp-conformance.sh runs
// them; docs/mcp-conformance.md lists them), on stdio or Streamable HTTP at /mcp.
//
//   tools      test_simple_text, test_image_content, test_audio_content,
//              test_embedded_resource, test_multiple_content_types, test_error_handling,
//              test_tool_with_logging, test_tool_with_progress, test_sampling {prompt},
//              test_elicitation {message}, test_elicitation_sep1034_defaults,
//              test_elicitation_sep1330_enums, json_schema_2020_12_tool
//   prompts    test_simple_prompt, test_prompt_with_arguments {arg1, arg2},
//              test_prompt_with_embedded_resource {resourceUri}, test_prompt_with_image
//   resources  test://static-text, test://static-binary, test://watched-resource and
//              the template test://template/{id}/data; subscriptions; completion of
//              prompt and template arguments; logging
//   stateless  the multi round-trip fixtures of conformance_multi_round.cpp
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/server.hpp"
#include "conformance_fixtures.hpp"

namespace {

using conformance::kNoArguments;
using conformance::user_text_content;

using aurite::Error;
using aurite::ErrorCode;
using aurite::mcp::Json;
using aurite::mcp::McpServer;
using aurite::mcp::ToolResult;

// A 1x1 red PNG and eight samples of 8 kHz silence as WAV: the smallest valid media.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
constexpr const char* kWav = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";
constexpr const char* kTemplatePrefix = "test://template/";
constexpr const char* kTemplateSuffix = "/data";
// How long a tool waits for the client to answer sampling or elicitation.
constexpr std::chrono::seconds kClientAnswerTimeout{30};
// The pause between the steps of the logging and progress tools, so the client sees
// the notifications arrive while the call runs.
constexpr std::chrono::milliseconds kStepPause{50};

ToolResult blocks(Json content) {
  ToolResult result;
  result.content = std::move(content);
  return result;
}

Json image_block() { return {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}; }

std::string required_string(const Json& args, const char* key) {
  if (!args.contains(key) || !args[key].is_string()) {
    throw Error(ErrorCode::kInvalidArgument, std::string("missing string argument '") + key + "'");
  }
  return args[key].get<std::string>();
}

// The result of a request to the client, or a tool error saying why there is none.
Json client_result(const Json& response, const std::string& method) {
  if (response.contains("error")) {
    throw Error(ErrorCode::kUpstream, method + " failed: " + response["error"].value("message", response["error"].dump()));
  }
  return response.value("result", Json::object());
}

void require_capability(McpServer& server, const char* capability) {
  if (!server.client_capabilities().contains(capability)) {
    throw Error(ErrorCode::kInvalidArgument, std::string("the client does not support ") + capability);
  }
}

std::string elicit(McpServer& server, const std::string& message, const Json& schema) {
  require_capability(server, "elicitation");
  const Json result = client_result(
      server.request_client("elicitation/create", {{"message", message}, {"requestedSchema", schema}},
                            kClientAnswerTimeout),
      "elicitation/create");
  return "action=" + result.value("action", "") + ", content=" + result.value("content", Json::object()).dump();
}

void add_content_tools(McpServer& server) {
  server.add_tool({"test_simple_text", "Returns one text block.", kNoArguments, [](const Json&) {
                     return aurite::mcp::text_result("This is a simple text response for testing.");
                   }});
  server.add_tool({"test_image_content", "Returns an image block.", kNoArguments,
                   [](const Json&) { return blocks(Json::array({image_block()})); }});
  server.add_tool({"test_audio_content", "Returns an audio block.", kNoArguments, [](const Json&) {
                     return blocks(Json::array({{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}}));
                   }});
  server.add_tool({"test_embedded_resource", "Returns an embedded resource.", kNoArguments, [](const Json&) {
                     return blocks(Json::array({{{"type", "resource"},
                                                 {"resource", {{"uri", "test://embedded-resource"},
                                                               {"mimeType", "text/plain"},
                                                               {"text", "This is an embedded resource content."}}}}}));
                   }});
  server.add_tool({"test_multiple_content_types", "Returns text, an image and a resource.", kNoArguments,
                   [](const Json&) {
                     return blocks(Json::array(
                         {{{"type", "text"}, {"text", "Multiple content types test:"}},
                          image_block(),
                          {{"type", "resource"},
                           {"resource", {{"uri", "test://mixed-content-resource"},
                                         {"mimeType", "application/json"},
                                         {"text", Json{{"test", "data"}, {"value", 123}}.dump()}}}}}));
                   }});
  server.add_tool({"test_error_handling", "Always fails.", kNoArguments, [](const Json&) -> ToolResult {
                     throw Error(ErrorCode::kInternal, "This tool intentionally returns an error for testing");
                   }});
  server.add_tool({"test_region_header", "Echoes a region that HTTP clients also send as Mcp-Param-Region.",
                   {{"type", "object"},
                    {"properties", {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}}}},
                    {"required", {"region"}}},
                   [](const Json& args) { return aurite::mcp::text_result("Region: " + required_string(args, "region")); }});
  server.add_tool({"json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
                   {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                    {"type", "object"},
                    {"$defs", {{"address", {{"$anchor", "addressDef"},
                                            {"type", "object"},
                                            {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
                    {"properties", {{"name", {{"type", "string"}}},
                                    {"address", {{"$ref", "#/$defs/address"}}},
                                    {"contactMethod", {{"type", "string"}, {"enum", {"phone", "email"}}}},
                                    {"phone", {{"type", "string"}}},
                                    {"email", {{"type", "string"}}}}},
                    {"allOf", Json::array({{{"anyOf", Json::array({{{"required", {"phone"}}}, {{"required", {"email"}}}})}}})},
                    {"if", {{"properties", {{"contactMethod", {{"const", "phone"}}}}}, {"required", {"contactMethod"}}}},
                    {"then", {{"required", {"phone"}}}},
                    {"else", {{"required", {"email"}}}},
                    {"additionalProperties", false}},
                   [](const Json& args) { return aurite::mcp::text_result("Received: " + args.dump()); }});
}

void add_interactive_tools(McpServer& server) {
  server.add_tool({"test_tool_with_logging", "Logs three messages while it runs.", kNoArguments, [&server](const Json&) {
                     server.log("info", "Tool execution started");
                     std::this_thread::sleep_for(kStepPause);
                     server.log("info", "Tool processing data");
                     std::this_thread::sleep_for(kStepPause);
                     server.log("info", "Tool execution completed");
                     return aurite::mcp::text_result("Tool with logging executed successfully");
                   }});
  server.add_tool({"test_tool_with_progress", "Reports progress 0, 50 and 100 of 100.", kNoArguments,
                   [&server](const Json&) {
                     for (const double step : {0.0, 50.0, 100.0}) {
                       server.report_progress(step, 100.0);
                       if (step < 100.0) std::this_thread::sleep_for(kStepPause);
                     }
                     return aurite::mcp::text_result("Tool with progress executed successfully");
                   }});
  server.add_tool({"test_reconnection", "Ends its SSE stream early; the answer comes when the client resumes it.",
                   kNoArguments, [&server](const Json&) {
                     server.close_sse_stream();
                     return aurite::mcp::text_result("Reconnection test completed");
                   }});
  server.add_tool({"test_sampling", "Asks the client's model to answer a prompt.",
                   {{"type", "object"}, {"properties", {{"prompt", {{"type", "string"}}}}}, {"required", {"prompt"}}},
                   [&server](const Json& args) {
                     require_capability(server, "sampling");
                     const Json params = {
                         {"messages", Json::array({{{"role", "user"},
                                                    {"content", {{"type", "text"}, {"text", required_string(args, "prompt")}}}}})},
                         {"maxTokens", 100}};
                     const Json result = client_result(
                         server.request_client("sampling/createMessage", params, kClientAnswerTimeout), "sampling");
                     const Json content = result.value("content", Json::object());
                     const std::string text = content.is_object() ? content.value("text", content.dump()) : content.dump();
                     return aurite::mcp::text_result("LLM response: " + text);
                   }});
  server.add_tool({"test_elicitation", "Asks the user for a name and an email address.",
                   {{"type", "object"}, {"properties", {{"message", {{"type", "string"}}}}}, {"required", {"message"}}},
                   [&server](const Json& args) {
                     const Json schema = {
                         {"type", "object"},
                         {"properties", {{"username", {{"type", "string"}, {"description", "User's response"}}},
                                         {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
                         {"required", {"username", "email"}}};
                     return aurite::mcp::text_result("User response: " + elicit(server, required_string(args, "message"), schema));
                   }});
  server.add_tool({"test_elicitation_sep1034_defaults", "Elicits values of every primitive type, each with a default.",
                   kNoArguments, [&server](const Json&) {
                     const Json schema = {
                         {"type", "object"},
                         {"properties",
                          {{"name", {{"type", "string"}, {"default", "John Doe"}}},
                           {"age", {{"type", "integer"}, {"default", 30}}},
                           {"score", {{"type", "number"}, {"default", 95.5}}},
                           {"status", {{"type", "string"}, {"enum", {"active", "inactive", "pending"}}, {"default", "active"}}},
                           {"verified", {{"type", "boolean"}, {"default", true}}}}}};
                     return aurite::mcp::text_result("Elicitation completed: " +
                                                     elicit(server, "Please review and update the form fields with defaults", schema));
                   }});
  server.add_tool({"test_elicitation_sep1330_enums", "Elicits with every enum schema variant.", kNoArguments,
                   [&server](const Json&) {
                     const auto titled = [](const char* prefix, const std::vector<std::string>& titles) {
                       Json out = Json::array();
                       for (std::size_t i = 0; i < titles.size(); ++i) {
                         out.push_back({{"const", prefix + std::to_string(i + 1)}, {"title", titles[i]}});
                       }
                       return out;
                     };
                     const Json schema = {
                         {"type", "object"},
                         {"properties",
                          {{"untitledSingle", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
                           {"titledSingle",
                            {{"type", "string"}, {"oneOf", titled("value", {"First Option", "Second Option", "Third Option"})}}},
                           {"legacyEnum", {{"type", "string"},
                                           {"enum", {"opt1", "opt2", "opt3"}},
                                           {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
                           {"untitledMulti",
                            {{"type", "array"}, {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
                           {"titledMulti",
                            {{"type", "array"},
                             {"items", {{"anyOf", titled("value", {"First Choice", "Second Choice", "Third Choice"})}}}}}}}};
                     return aurite::mcp::text_result("Elicitation completed: " +
                                                     elicit(server, "Please select options from the enum fields", schema));
                   }});
}

void add_prompts(McpServer& server) {
  server.add_prompt({"test_simple_prompt", "A prompt without arguments.", Json::array(),
                     [](const Json&) { return Json::array({user_text_content("This is a simple prompt for testing.")}); }});
  server.add_prompt({"test_prompt_with_arguments", "A prompt with two arguments.",
                     Json::array({{{"name", "arg1"}, {"description", "First test argument"}, {"required", true}},
                                  {{"name", "arg2"}, {"description", "Second test argument"}, {"required", true}}}),
                     [](const Json& args) {
                       return Json::array({user_text_content("Prompt with arguments: arg1='" + required_string(args, "arg1") +
                                                     "', arg2='" + required_string(args, "arg2") + "'")});
                     }});
  server.add_prompt({"test_prompt_with_embedded_resource", "A prompt that embeds a resource.",
                     Json::array({{{"name", "resourceUri"}, {"description", "URI of the resource to embed"}, {"required", true}}}),
                     [](const Json& args) {
                       const Json resource = {{"uri", required_string(args, "resourceUri")},
                                              {"mimeType", "text/plain"},
                                              {"text", "Embedded resource content for testing."}};
                       return Json::array({{{"role", "user"}, {"content", {{"type", "resource"}, {"resource", resource}}}},
                                           user_text_content("Please process the embedded resource above.")});
                     }});
  server.add_prompt({"test_prompt_with_image", "A prompt with an image.", Json::array(), [](const Json&) {
                       return Json::array({{{"role", "user"}, {"content", image_block()}},
                                           user_text_content("Please analyze the image above.")});
                     }});
}

// The id of test://template/{id}/data, or nullopt for another URI.
std::optional<std::string> template_id(const std::string& uri) {
  const std::string prefix = kTemplatePrefix, suffix = kTemplateSuffix;
  if (uri.size() <= prefix.size() + suffix.size() || uri.rfind(prefix, 0) != 0 ||
      uri.compare(uri.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  std::string id = uri.substr(prefix.size(), uri.size() - prefix.size() - suffix.size());
  if (id.find('/') != std::string::npos) return std::nullopt;
  return id;
}

void add_resources(McpServer& server) {
  server.set_resource_contents(
      [] {
        return std::vector<aurite::mcp::ServerResource>{
            {"test://static-text", "static-text", "A static text resource", "text/plain"},
            {"test://static-binary", "static-binary", "A static binary resource (a PNG)", "image/png"},
            {"test://watched-resource", "watched-resource", "A resource to subscribe to", "text/plain"}};
      },
      [](const std::string& uri) {
        aurite::mcp::ResourceContent content;
        if (uri == "test://static-text") {
          content.text = "This is the content of the static text resource.";
        } else if (uri == "test://static-binary") {
          content.mime_type = "image/png";
          content.blob = kPng;
        } else if (uri == "test://watched-resource") {
          content.text = "Watched resource content.";
        } else if (const auto id = template_id(uri)) {
          content.mime_type = "application/json";
          content.text = Json{{"id", *id}, {"templateTest", true}, {"data", "Data for ID: " + *id}}.dump();
        } else {
          throw Error(ErrorCode::kNotFound, "Resource not found: " + uri);
        }
        return content;
      });
  server.add_resource_template({std::string(kTemplatePrefix) + "{id}" + kTemplateSuffix, "template-data",
                                "Data for an id", "application/json"});
}

// Values that start with what the client typed so far.
Json completion_of(const std::vector<std::string>& candidates, const std::string& typed) {
  Json values = Json::array();
  for (const auto& candidate : candidates) {
    if (candidate.rfind(typed, 0) == 0) values.push_back(candidate);
  }
  return {{"values", values}, {"total", values.size()}, {"hasMore", false}};
}

void add_completion(McpServer& server) {
  server.set_completer([](const Json& ref, const Json& argument, const Json&) {
    const std::string typed = argument.value("value", "");
    if (ref.value("type", "") == "ref/prompt" && ref.value("name", "") == "test_prompt_with_arguments") {
      return completion_of({"paris", "park", "party", "hello", "world"}, typed);
    }
    if (ref.value("type", "") == "ref/resource" && argument.value("name", "") == "id") {
      return completion_of({"1", "2", "3", "123"}, typed);
    }
    return completion_of({}, typed);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> http;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--http" && i + 1 < argc) {
      http = argv[++i];
    } else {
      std::fprintf(stderr, "usage: aurite-example-conformance-server [--http HOST:PORT]\n");
      return 2;
    }
  }
  McpServer::Options options;
  options.name = "aurite-example-conformance-server";
  options.logging = true;
  options.resource_subscriptions = true;
  McpServer server(options);
  add_content_tools(server);
  add_interactive_tools(server);
  conformance::add_multi_round_fixtures(server);
  add_prompts(server);
  add_resources(server);
  add_completion(server);
  return aurite::mcp::serve_stdio_or_http(server, "aurite-example-conformance-server", http);
}
