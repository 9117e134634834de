// config/project_file — reading and writing project files: one JSON file
// (aurite_config.json), or an Aurite 0.4 project (a folder with a `.aurite` file and
// folders of component files, read with its workspace as Aurite 0.4 reads them).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aurite/config/json_codec.hpp"
#include "aurite/config/models.hpp"

namespace aurite::config {

enum class ProjectFormat { kJsonFile, kComponentFiles };

struct LoadedProject {
  ProjectConfig project;
  std::vector<UnknownKey> unknown_keys;  // keys kept but not understood
  ProjectFormat format = ProjectFormat::kJsonFile;
  // What is loaded differently than written, or not at all: a name defined again in a
  // later file, components of types not run here, Python workflows, files skipped.
  std::vector<std::string> warnings;
};

// What a project of component files does with a component that has problems.
enum class ProblemPolicy {
  kRefuse,    // the whole project is refused (ConfigError listing every problem)
  kLeaveOut,  // it, and whatever uses it, are left out (ProjectConfig::left_out)
};

inline constexpr const char* kProjectFileName = "aurite_config.json";
inline constexpr const char* kAnchorFile = ".aurite";

// The project `named` means: a JSON project file, a .aurite file, or a folder holding a
// .aurite file (else an aurite_config.json). Throws ConfigError naming it when it is none.
std::filesystem::path locate_project(const std::filesystem::path& named);

// The project of a command given none: ./aurite_config.json when there is one, else the
// nearest .aurite file in `start` or its parents; nullopt when there is neither.
std::optional<std::filesystem::path> find_project(const std::filesystem::path& start);

// Parses JSON text; throws ConfigError naming `source`, with line and column.
Json parse_json_text(std::string_view text, const std::string& source);

// Parses and validates a project held in memory. `source` names it in errors;
// relative paths in it resolve against `base_dir`. Throws ConfigError listing every
// problem (malformed JSON is reported with its line and column).
LoadedProject parse_project_text(std::string_view text, const std::string& source,
                                 const std::filesystem::path& base_dir);

// Reads, parses and validates the project at `path` (see locate_project). Throws
// ConfigError with the file as source for anything wrong with it, including a missing
// file, an empty file and bytes that are not UTF-8. A project of component files gets
// `policy`; its problems are named by component file and JSON path as written there.
LoadedProject load_project_file(const std::filesystem::path& path, ProblemPolicy policy = ProblemPolicy::kRefuse);

// An Aurite 0.4 project from its .aurite file (load_project_file does this for one).
LoadedProject load_component_project(const std::filesystem::path& anchor, ProblemPolicy policy);

// The project as JSON text (2-space indent, trailing newline), as save writes it.
std::string dump_project(const ProjectConfig& project);

// Writes the project atomically: a temporary file beside `path`, flushed, then renamed
// over it, so a reader sees the old file or the new one, never half of one.
// Throws Error(kIo) naming the path on failure.
void save_project_file(const ProjectConfig& project, const std::filesystem::path& path);

}  // namespace aurite::config
