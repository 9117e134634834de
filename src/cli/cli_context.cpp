#include "cli/cli_context.hpp"

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

}  // namespace aurite::cli
