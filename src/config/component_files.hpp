// config/component_files — the component files of an Aurite 0.4 project: every .json,
// .yaml and .yml file under a config folder, each holding one component (an object with
// `type` and `name`) or an array of them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"
#include "config/anchor_file.hpp"

namespace aurite::config::detail {

struct RawComponent {
  std::string file;                     // as shown in messages: relative to the project folder
  std::string path;                     // its JSON path in the file: "[2]", or "" for a file of one
  std::filesystem::path context_root;   // what its relative paths resolve against
  Json json;
};

struct ComponentScan {
  std::vector<RawComponent> components;  // in include order
  std::vector<Diagnostic> errors;        // files that cannot be read or parsed ("file: message")
  std::vector<std::string> warnings;     // files and entries that are not components, skipped
};

// The files of `source` in the order Aurite 0.4 reads them (all .json, then .yaml, then
// .yml; each folder's files by name before its subfolders'), appended to `scan`.
// `base_dir` is what file names are shown relative to.
void scan_source(const ConfigSource& source, const std::filesystem::path& base_dir, ComponentScan& scan);

// A YAML document as JSON: plain scalars become null, booleans and numbers as YAML 1.2
// reads them, quoted ones stay strings. Throws ConfigError naming `source` with the line
// and column of a syntax error.
Json parse_yaml(const std::string& text, const std::string& source);

}  // namespace aurite::config::detail
