#include "cli/cli_context.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "aurite/storage/settings.hpp"

namespace aurite::cli {

std::filesystem::path Context::config_path() const { return host::resolve_config_path(options.config_path); }

std::unique_ptr<host::HostManager> Context::load_host() const {
  if (host::resolve_config_source(options.config_source) == host::ConfigSource::kFile) {
    return host::HostManager::from_file(config_path());
  }
  return open_host();
}

std::unique_ptr<host::HostManager> Context::open_host() const {
  return host::HostManager::open(
      {config_path(), host::resolve_config_source(options.config_source), storage::load_storage_settings()});
}

std::string user_at_host() {
  std::string user;
  if (const char* name = std::getenv("USER"); name != nullptr && *name != '\0') user = name;
  if (user.empty()) {
    if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr) user = entry->pw_name;
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}@{}", user.empty() ? std::to_string(::getuid()) : user, host);
}

}  // namespace aurite::cli
