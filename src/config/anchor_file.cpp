#include "config/anchor_file.hpp"

#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "aurite/common/error.hpp"

namespace aurite::config::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& path, const std::string& where, const std::string& message) {
  throw ConfigError(path.string(), {{where, message}});
}

std::vector<std::string> string_array(const toml::table& table, const char* key, const fs::path& path) {
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (node == nullptr) return out;
  const std::string where = fmt::format("aurite.{}", key);
  const toml::array* array = node->as_array();
  if (array == nullptr) fail(path, where, "expected an array of folder names");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto value = (*array)[i].value<std::string>();
    if (!value) fail(path, fmt::format("{}[{}]", where, i), "expected a string (a folder name)");
    out.push_back(*value);
  }
  return out;
}

fs::path canonical_or_lexical(const fs::path& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : resolved;
}

}  // namespace

AnchorFile read_anchor_file(const fs::path& path) {
  toml::table document;
  try {
    document = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    const auto& at = error.source().begin;
    fail(path, "", fmt::format("malformed TOML at line {}, column {}: {}", at.line, at.column, error.description()));
  }
  const toml::table* aurite = document["aurite"].as_table();
  if (aurite == nullptr) fail(path, "", "no [aurite] table (expected type = \"project\" or \"workspace\")");
  AnchorFile anchor;
  anchor.path = path;
  const auto type = (*aurite)["type"].value<std::string>();
  if (!type) fail(path, "aurite.type", "missing (expected \"project\" or \"workspace\")");
  if (*type != "project" && *type != "workspace") {
    fail(path, "aurite.type", fmt::format("'{}' is not a type (expected \"project\" or \"workspace\")", *type));
  }
  anchor.type = *type;
  anchor.include_configs = string_array(*aurite, "include_configs", path);
  anchor.projects = string_array(*aurite, "projects", path);
  return anchor;
}

std::vector<fs::path> find_anchor_files(const fs::path& start) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::path dir = canonical_or_lexical(fs::absolute(start)); !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = dir / kAnchorFileName;
    if (fs::is_regular_file(candidate, ec)) found.push_back(candidate);
    if (dir == dir.root_path()) break;
  }
  return found;
}

ProjectContext resolve_context(const fs::path& named_as) {
  const fs::path named = fs::absolute(named_as);
  const AnchorFile first = read_anchor_file(named);
  std::optional<AnchorFile> project;
  std::optional<AnchorFile> workspace;
  if (first.type == "project") project = first;
  else workspace = first;
  // A project's workspace is the nearest workspace anchor above it.
  if (project) for (const fs::path& path : find_anchor_files(first.folder().parent_path())) {
    if (canonical_or_lexical(path) == canonical_or_lexical(named)) continue;
    const AnchorFile anchor = read_anchor_file(path);
    if (anchor.type == "workspace") {
      workspace = anchor;
      break;
    }
  }

  ProjectContext context;
  context.anchor = named;
  context.base_dir = canonical_or_lexical((project ? project->folder() : workspace->folder()));
  std::set<fs::path> seen;
  const auto add_sources = [&](const AnchorFile& anchor) {
    const fs::path root = canonical_or_lexical(anchor.folder());
    for (std::size_t i = 0; i < anchor.include_configs.size(); ++i) {
      const fs::path folder = canonical_or_lexical(root / anchor.include_configs[i]);
      std::error_code ec;
      if (!fs::is_directory(folder, ec)) {
        context.warnings.push_back(fmt::format("{}: aurite.include_configs[{}]: '{}' is not a folder; skipped",
                                               anchor.path.string(), i, anchor.include_configs[i]));
        continue;
      }
      if (seen.insert(folder).second) context.sources.push_back({folder, root});
    }
  };
  if (project) add_sources(*project);
  if (workspace) {
    add_sources(*workspace);
    const fs::path root = canonical_or_lexical(workspace->folder());
    for (const std::string& name : workspace->projects) {
      const fs::path other = canonical_or_lexical(root / name);
      if (project && other == canonical_or_lexical(project->folder())) continue;
      std::error_code ec;
      const fs::path other_anchor = other / kAnchorFileName;
      if (!fs::is_regular_file(other_anchor, ec)) {
        context.warnings.push_back(
            fmt::format("{}: aurite.projects: '{}' holds no {} file; skipped", workspace->path.string(), name,
                        kAnchorFileName));
        continue;
      }
      add_sources(read_anchor_file(other_anchor));
    }
  }
  return context;
}

}  // namespace aurite::config::detail
