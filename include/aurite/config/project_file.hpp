// config/project_file — reading and writing project files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "aurite/config/json_codec.hpp"
#include "aurite/config/models.hpp"

namespace aurite::config {

struct LoadedProject {
  ProjectConfig project;
  std::vector<UnknownKey> unknown_keys;  // keys kept but not understood
};

// Parses and validates a project held in memory. `source` names it in errors;
// relative paths in it resolve against `base_dir`. Throws ConfigError listing every
// problem (malformed JSON is reported with its line and column).
LoadedProject parse_project_text(std::string_view text, const std::string& source,
                                 const std::filesystem::path& base_dir);

// Reads, parses and validates the project file at `path`. Throws ConfigError with the
// file as source for anything wrong with it, including a missing file, a directory, an
// empty file and bytes that are not UTF-8.
LoadedProject load_project_file(const std::filesystem::path& path);

// The project as JSON text (2-space indent, trailing newline), as save writes it.
std::string dump_project(const ProjectConfig& project);

// Writes the project atomically: a temporary file beside `path`, flushed, then renamed
// over it, so a reader sees the old file or the new one, never half of one.
// Throws Error(kIo) naming the path on failure.
void save_project_file(const ProjectConfig& project, const std::filesystem::path& path);

}  // namespace aurite::config
