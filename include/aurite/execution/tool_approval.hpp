// execution/tool_approval — which tool calls wait for a person, and what a person said.
//
// `require_approval` on a client or an agent (config::ApprovalRule) gates calls: a gated
// call runs only once someone approved it, possibly with other arguments; a denied call
// never runs, and the model reads the denial as the call's error result. Who decides is
// the caller's: RunObserver::decide_approval (a terminal prompt in the CLI). A run whose
// observer cannot ask stops before any call of that model turn runs, with
// Error(kApprovalRequired) naming the call.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aurite/config/models.hpp"
#include "aurite/mcp/types.hpp"
#include "aurite/storage/approval_store.hpp"

namespace aurite::execution {

struct ApprovalRequest {
  std::string agent_name;
  std::string call_id;    // the model's tool_use id
  std::string tool;
  std::string client_id;  // the client that offers the tool
  nlohmann::json arguments;
  std::string why;        // which rule gates it: "client 'mail' requires approval of send_mail"
};

struct ApprovalDecision {
  bool approved = false;
  std::optional<nlohmann::json> arguments;  // approved with these instead (an object)
  std::string reason;                       // why it was denied; shown to the model
};

// Whether `rule` gates calls of `tool`. kDestructive gates every tool whose annotations do
// not say readOnlyHint: true (the MCP default is that a tool may change things).
bool requires_approval(const config::ApprovalRule& rule, const mcp::ToolInfo& tool);

// An approval as the CLI's --json and the API show it: the stored fields, arguments as
// JSON, and who decided what once it is decided.
nlohmann::json to_json(const storage::ApprovalRecord& record);

}  // namespace aurite::execution
