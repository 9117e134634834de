#pragma once

#include <filesystem>
#include <string>

namespace aurite::cli {

inline const std::string kExampleProject =
    (std::filesystem::path(AURITE_SOURCE_DIR) / "examples/demo/aurite_config.json").string();

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace aurite::cli
