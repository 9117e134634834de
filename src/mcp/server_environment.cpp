#include "mcp/server_environment.hpp"

#include <algorithm>

namespace aurite::mcp::detail {

const std::vector<std::string_view> kMinimalServerVariables = {
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS",
#endif
};

std::vector<std::string> server_environment(const config::InheritEnv& inherit,
                                            const std::map<std::string, std::string>& extra,
                                            char* const* environ_entries) {
  const auto wanted = [&](std::string_view name) {
    if (inherit.all) return true;
    const auto listed = [name](const auto& candidate) { return candidate == name; };
    return std::any_of(kMinimalServerVariables.begin(), kMinimalServerVariables.end(), listed) ||
           std::any_of(inherit.names.begin(), inherit.names.end(), listed);
  };
  std::vector<std::string> out;
  for (char* const* entry = environ_entries; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(text.substr(0, eq));
    if (wanted(name) && extra.count(name) == 0) out.emplace_back(text);
  }
  for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
  return out;
}

}  // namespace aurite::mcp::detail
