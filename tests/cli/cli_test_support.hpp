#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace aurite::cli {

inline const std::string kExampleProject =
    (std::filesystem::path(AURITE_SOURCE_DIR) / "examples/demo/aurite_config.json").string();

// Every variable that chooses or shapes the database: unset so that a test's database is
// the one it names, whatever the environment of whoever runs the tests.
inline const std::vector<std::string> kStorageVariables = {
    "AURITE_ENABLE_DB", "AURITE_DB_STORE_CONFIGS", "AURITE_DB_STORE_HISTORY", "AURITE_DB_TYPE", "AURITE_DB_URL",
    "AURITE_DB_PATH", "AURITE_DB_HOST", "AURITE_DB_PORT", "AURITE_DB_USER", "AURITE_DB_PASSWORD", "AURITE_DB_NAME",
    "AURITE_DB_SSLMODE", "AURITE_DB_POOL_SIZE", "AURITE_DB_OPTIONAL", "AURITE_CONFIG_SOURCE", "PROJECT_CONFIG_PATH"};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace aurite::cli
