// mcp/elicitation — a server's elicitation/create during a tool call, answered by whoever
// made the call: a person, through the run that called the tool (McpHost::call_tool).
//
// Form mode asks for values fitting `requestedSchema` (flat, primitive properties);
// URL mode asks the person to open a URL (`url`, `elicitationId`). The answer is the
// elicitation/create result: {"action": "accept", "content": {...}} (form), {"action":
// "accept"} (URL), or {"action": "decline"} / {"action": "cancel"}. Nobody to ask, or no
// answer within the request's timeout, is a decline.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "aurite/mcp/types.hpp"

namespace aurite::mcp {

struct ElicitationRequest {
  std::string client_id;
  std::string tool;  // the call it came during
  Json params;       // as the server sent them
  // How long an answer may take (the client's timeout); a decline after that.
  std::chrono::milliseconds timeout{0};

  bool url_mode() const;  // mode "url"; "form" otherwise (the default)
  std::string message() const;
  Json requested_schema() const;  // {} in URL mode
};

// The result to send, or nullopt when nobody could answer (sent as a decline).
using Elicitor = std::function<std::optional<Json>(const ElicitationRequest& request)>;

Json declined_elicitation();

// The content of a person who accepts every default the schema gives: each property's
// `default`, where it has one.
Json schema_defaults(const Json& requested_schema);

// Why `answer` is not a result a person may give to `request` ("" when it is one): an
// action of accept, decline or cancel; with accept in form mode, content an object whose
// values have the types and enum values the schema names, with every required property.
std::string elicitation_answer_problem(const ElicitationRequest& request, const Json& answer);

}  // namespace aurite::mcp
