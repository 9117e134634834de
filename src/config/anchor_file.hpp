// config/anchor_file — the `.aurite` file that marks an Aurite 0.4 project or workspace
// folder (TOML: an [aurite] table with type, include_configs and, for a workspace,
// projects), and where the component files of a project come from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aurite::config::detail {

inline constexpr const char* kAnchorFileName = ".aurite";

struct AnchorFile {
  std::filesystem::path path;       // the .aurite file
  std::string type;                 // "project" or "workspace"
  std::vector<std::string> include_configs;
  std::vector<std::string> projects;  // a workspace's project folders

  std::filesystem::path folder() const { return path.parent_path(); }
};

// Reads a .aurite file. Throws ConfigError naming the file, with line and column for
// malformed TOML, for a missing [aurite] table, an unknown type or values of the wrong type.
AnchorFile read_anchor_file(const std::filesystem::path& path);

// A folder searched for component files, and the folder its relative paths resolve
// against (the project or workspace that lists it).
struct ConfigSource {
  std::filesystem::path folder;
  std::filesystem::path context_root;
};

struct ProjectContext {
  std::filesystem::path anchor;            // the .aurite the project was named or found by
  std::filesystem::path base_dir;          // the project's folder (the workspace's, run from there)
  std::vector<ConfigSource> sources;       // in priority order: the first definition of a name wins
  std::vector<std::string> warnings;       // include_configs entries that are not folders
};

// As Aurite 0.4 does it, from the .aurite file `anchor` upwards: the nearest project
// and workspace anchors in it and its parents; then the project's include_configs, the
// workspace's, and those of the workspace's other projects, in that order. Run from the
// workspace itself, there is no project of its own: every project's folders are included.
ProjectContext resolve_context(const std::filesystem::path& anchor);

// The .aurite files in `start` and its parents, nearest first.
std::vector<std::filesystem::path> find_anchor_files(const std::filesystem::path& start);

}  // namespace aurite::config::detail
