#include "config/component_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "aurite/config/project_file.hpp"
#include "config/field_reader.hpp"

namespace aurite::config::detail {
namespace {

namespace fs = std::filesystem;

// Files of `dir` with `extension` by name, then those of its subfolders, by name.
void collect(const fs::path& dir, const std::string& extension, std::vector<fs::path>& out) {
  std::vector<fs::path> files;
  std::vector<fs::path> folders;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec)) folders.push_back(entry.path());
    else if (entry.is_regular_file(ec) && entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::sort(folders.begin(), folders.end());
  out.insert(out.end(), files.begin(), files.end());
  for (const auto& folder : folders) collect(folder, extension, out);
}

std::string shown(const fs::path& file, const fs::path& base_dir) {
  const fs::path relative = file.lexically_relative(base_dir);
  return relative.empty() ? file.string() : relative.string();
}

bool one_of(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&text](const char* word) { return text == word; });
}

// A plain scalar as YAML 1.2's core schema reads it; .inf and .nan stay text.
Json scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: a string, whatever it looks like
  if (one_of(text, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (one_of(text, {"true", "True", "TRUE"})) return true;
  if (one_of(text, {"false", "False", "FALSE"})) return false;
  const bool numeric = !text.empty() && text.find_first_not_of("+-.0123456789eE") == std::string::npos &&
                       text.find_first_of("0123456789") != std::string::npos;
  if (!numeric) return text;
  const std::size_t digits_from = text[0] == '-' || text[0] == '+' ? 1 : 0;
  const bool integer = text.find_first_not_of("0123456789", digits_from) == std::string::npos;
  if (integer && text.size() < 18) return std::stoll(text);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size() && std::isfinite(value)) return value;
  return text;
}

// Aliases let a few lines of YAML stand for billions of nodes; a component file never
// needs more than this many.
constexpr std::size_t kMaxYamlNodes = 100'000;

// An alias may name the node it is in: such a cycle would nest without end.
constexpr int kMaxYamlDepth = 64;

Json to_json(const YAML::Node& node, std::size_t& budget, int depth = 0) {
  if (budget == 0) throw YAML::Exception(YAML::Mark::null_mark(), "more than 100000 values (aliases repeated?)");
  if (depth > kMaxYamlDepth) {
    throw YAML::Exception(YAML::Mark::null_mark(), "nested more than 64 levels deep (an alias inside itself?)");
  }
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return scalar(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(to_json(item, budget, depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = to_json(item.second, budget, depth + 1);
      return out;
    }
  }
  return nullptr;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool has(const Json& object, const char* key) {
  return object.contains(key) && object[key].is_string() && !object[key].get<std::string>().empty();
}

void add_entry(const Json& entry, const std::string& file, const std::string& path, const ConfigSource& source,
               ComponentScan& scan) {
  if (!entry.is_object()) {
    scan.errors.push_back({file + ": " + path, "expected an object (a component), got " + describe_type(entry)});
    return;
  }
  const bool typed = has(entry, "type");
  const bool named = has(entry, "name");
  const std::string where = path.empty() ? file : file + ": " + path;
  if (!typed && !named) {
    scan.warnings.push_back(fmt::format("{}: not a component (no type or name); skipped", where));
    return;
  }
  if (!typed || !named) {
    scan.errors.push_back({where, fmt::format("a component needs a {} (it has a {})", typed ? "name" : "type",
                                              typed ? "type" : "name")});
    return;
  }
  scan.components.push_back({file, path, source.context_root, entry});
}

// yaml-cpp's messages may quote the bytes it choked on, which need not be UTF-8 (nor
// printable); what we say is both.
std::string printable(const std::string& message) {
  std::string out;
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  return out;
}

}  // namespace

Json parse_yaml(const std::string& text, const std::string& source) {
  try {
    std::size_t budget = kMaxYamlNodes;
    Json document = to_json(YAML::Load(text), budget);
    // YAML takes any bytes; what goes on into a model (and out to a database) is UTF-8.
    try {
      (void)document.dump();
    } catch (const nlohmann::json::type_error&) {
      throw ConfigError(source, {{"", "holds bytes that are not UTF-8 text"}});
    }
    return document;
  } catch (const YAML::ParserException& error) {
    throw ConfigError(source, {{"", fmt::format("malformed YAML at line {}, column {}: {}", error.mark.line + 1,
                                                error.mark.column + 1, printable(error.msg))}});
  } catch (const YAML::Exception& error) {
    throw ConfigError(source, {{"", fmt::format("malformed YAML: {}", printable(error.msg))}});
  }
}

void scan_source(const ConfigSource& source, const fs::path& base_dir, ComponentScan& scan) {
  std::vector<fs::path> files;
  for (const char* extension : {".json", ".yaml", ".yml"}) collect(source.folder, extension, files);
  for (const auto& path : files) {
    const std::string file = shown(path, base_dir);
    Json document;
    try {
      const std::string text = read_text(path);
      document = path.extension() == ".json" ? parse_json_text(text, file) : parse_yaml(text, file);
    } catch (const ConfigError& error) {
      for (const auto& d : error.diagnostics()) scan.errors.push_back({file, d.message});
      continue;
    }
    if (document.is_array()) {
      for (std::size_t i = 0; i < document.size(); ++i) add_entry(document[i], file, index_path("", i), source, scan);
    } else if (document.is_object()) {
      add_entry(document, file, "", source, scan);
    } else {
      scan.warnings.push_back(fmt::format("{}: holds {}, not a component or an array of them; skipped", file,
                                          describe_type(document)));
    }
  }
}

}  // namespace aurite::config::detail
