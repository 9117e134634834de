// host/project_loading — where a process's project comes from at start-up: the JSON file,
// the database, or both (DESIGN.md §4, "Loading from DB"), and the sync of the file to the
// database that follows a file load.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "aurite/config/models.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/storage/config_store.hpp"
#include "aurite/storage/storage_manager.hpp"

namespace aurite::host {

enum class ConfigSource {
  kFile,   // the JSON file, then synced to the database when configs are stored [default]
  kDb,     // the database alone; no file is read
  kMerge,  // the file, plus the components only the database holds
};

std::string_view to_string(ConfigSource source);

// "file", "db" or "merge" (case-insensitive). Throws Error(kInvalidArgument) naming
// `origin` (the flag or variable it came from) and the value otherwise.
ConfigSource parse_config_source(std::string_view value, std::string_view origin = "--config-source");

// `flag` (--config-source) when given, else $AURITE_CONFIG_SOURCE when set and not empty,
// else kFile. Throws as parse_config_source.
ConfigSource resolve_config_source(const std::optional<std::string>& flag);

// True when AURITE_STRICT_CONFIG is set true: unknown keys in a project file are then
// errors, not warnings. Throws Error(kInvalidArgument) for a value that is not a boolean.
bool strict_config_from_env();

// Loads and validates the project file, as config::load_project_file (an Aurite 0.4
// project leaves out the components with problems and logs its warnings), and deals with its
// unknown keys (most often typos) in the one way every command shares: with `strict`
// they are a ConfigError naming each key and the known key it probably meant; otherwise
// one warning lists them so, and they are kept as written.
config::LoadedProject read_project_file(const std::filesystem::path& file, bool strict);

// The project a process runs with, validated as a whole:
// - kFile: load and validate `file` (read_project_file, strict from the environment); then, when `storage` stores configs, sync every
//   component to it in one transaction (no pruning: the database may hold components
//   registered at run time). A bad file changes nothing.
// - kDb: what `storage` holds, validated (ConfigError names the database). Needs
//   `storage` with configs stored; `file` is not read.
// - kMerge: the file's components, plus those of each kind whose name only the database
//   holds, validated together; then the file's components are synced as for kFile.
// Throws ConfigError for an invalid project, Error(kInvalidArgument) when kDb or kMerge
// has no database to read (naming AURITE_ENABLE_DB / AURITE_DB_STORE_CONFIGS), and what
// the store throws. What was synced is logged at info level.
config::ProjectConfig load_project(const std::filesystem::path& file, ConfigSource source,
                                   storage::StorageManager* storage);

}  // namespace aurite::host
