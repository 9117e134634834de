#include "aurite/execution/tool_approval.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace aurite::execution {

bool requires_approval(const config::ApprovalRule& rule, const mcp::ToolInfo& tool) {
  using Mode = config::ApprovalRule::Mode;
  switch (rule.mode) {
    case Mode::kNone: return false;
    case Mode::kAll: return true;
    case Mode::kDestructive: {
      const auto annotations = tool.raw.find("annotations");
      const bool read_only = annotations != tool.raw.end() && annotations->is_object() &&
                             annotations->value("readOnlyHint", nlohmann::json(false)) == nlohmann::json(true);
      return !read_only;
    }
    case Mode::kTools:
      return std::any_of(rule.tools.begin(), rule.tools.end(), [&](const std::string& pattern) {
        return ::fnmatch(pattern.c_str(), tool.name.c_str(), 0) == 0 ||
               (!tool.server_name.empty() && ::fnmatch(pattern.c_str(), tool.server_name.c_str(), 0) == 0);
      });
  }
  return true;  // a mode added later and not handled here: ask, rather than run
}

nlohmann::json to_json(const storage::ApprovalRecord& record) {
  const auto parsed = [](const std::string& json) {
    nlohmann::json value = nlohmann::json::parse(json, nullptr, false);
    return value.is_discarded() ? nlohmann::json(json) : value;
  };
  nlohmann::json out = {{"id", record.id},
                        {"run_id", record.run_id},
                        {"agent", record.agent_name},
                        {"session_id", record.session_id},
                        {"turn_seq", record.turn_seq},
                        {"call_id", record.call_id},
                        {"tool", record.tool},
                        {"client_id", record.client_id},
                        {"arguments", parsed(record.arguments_json)},
                        {"why", record.why},
                        {"status", record.status},
                        {"created_at", record.created_at}};
  if (record.status != "pending") {
    out["decided_by"] = record.decided_by;
    out["decided_at"] = record.decided_at;
    if (!record.reason.empty()) out["reason"] = record.reason;
    if (record.decided_arguments_json) out["decided_arguments"] = parsed(*record.decided_arguments_json);
  }
  return out;
}

}  // namespace aurite::execution
