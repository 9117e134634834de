#include "cli/cli_context.hpp"

namespace aurite::cli {

std::filesystem::path Context::config_path() const {
  return host::resolve_config_path(options.config_path);
}

std::unique_ptr<host::HostManager> Context::load_host() const {
  return host::HostManager::from_file(config_path());
}

}  // namespace aurite::cli
