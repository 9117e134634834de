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
        return ::fnmatch(pattern.c_str(), tool.name.c_str(), 0) == 0;
      });
  }
  return true;  // a mode added later and not handled here: ask, rather than run
}

}  // namespace aurite::execution
