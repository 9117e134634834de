#include "aurite/config/project_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/config/json_codec.hpp"
#include "aurite/config/validate.hpp"
#include "config/anchor_file.hpp"

namespace aurite::config {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw ConfigError(source, {{"", message}});
}

// nlohmann reports a byte offset; people look for a line and a column.
std::string position_of(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return fmt::format("line {}, column {}", line, column);
}

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at line 4,
// column 29: syntax error while parsing object - unexpected string literal; last read:
// '...'". Keep what was expected; drop the position (we give our own, in characters)
// and the bytes last read, which may not even be valid UTF-8.
std::string parse_error_reason(const nlohmann::json::parse_error& error) {
  std::string what = error.what();
  if (const auto column = what.find(", column "); column != std::string::npos) {
    if (const auto colon = what.find(": ", column); colon != std::string::npos) what = what.substr(colon + 2);
  }
  if (const auto last_read = what.find("; last read:"); last_read != std::string::npos) what.resize(last_read);
  return what;
}

// "agents[2]" for "agents[2].client_ids[0]": the component a diagnostic is about.
std::string_view component_of(std::string_view path) {
  const auto close = path.find(']');
  return close == std::string_view::npos ? path : path.substr(0, close + 1);
}

std::string read_file(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) fail(path.string(), "no such file");
  if (fs::is_directory(status)) {
    fail(path.string(), "is a folder with neither a .aurite file nor an aurite_config.json");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), std::string("cannot be read: ") + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Json parse_json_text(std::string_view text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    fail(source, "the file is empty, expected JSON");
  }
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    // byte is 1-based and points just past the offending character.
    const std::size_t at = error.byte > 0 ? error.byte - 1 : 0;
    fail(source, fmt::format("malformed JSON at {}: {}", position_of(text, at), parse_error_reason(error)));
  } catch (const nlohmann::json::out_of_range& error) {
    // A number too large for a double ("1e400") fails this way, without a position.
    std::string what = error.what();
    if (const auto end = what.find("] "); end != std::string::npos) what.erase(0, end + 2);
    fail(source, "malformed JSON: " + what);
  }
}

LoadedProject parse_project_text(std::string_view text, const std::string& source,
                                 const fs::path& base_dir) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    fail(source, "the file is empty, expected a JSON object");
  }
  const Json json = parse_json_text(text, source);
  ParseReport report;
  LoadedProject loaded;
  loaded.project = parse_project(json, report);
  auto problems = report.errors;
  // Validation runs even after parse errors so one pass reports everything; it skips
  // the components that failed to parse, whose values are incomplete.
  for (auto& problem : validate_project(loaded.project)) {
    const bool broken = std::any_of(report.errors.begin(), report.errors.end(), [&](const Diagnostic& parsed) {
      return component_of(parsed.path) == component_of(problem.path);
    });
    if (!broken) problems.push_back(std::move(problem));
  }
  if (!problems.empty()) throw ConfigError(source, std::move(problems));
  loaded.project.base_dir = base_dir;
  loaded.unknown_keys = std::move(report.unknown_keys);
  return loaded;
}

fs::path locate_project(const fs::path& named) {
  std::error_code ec;
  if (!fs::is_directory(named, ec)) return named;
  if (fs::is_regular_file(named / kAnchorFile, ec)) return named / kAnchorFile;
  if (fs::is_regular_file(named / kProjectFileName, ec)) return named / kProjectFileName;
  return named;  // read_file names what is missing
}

std::optional<fs::path> find_project(const fs::path& start) {
  std::error_code ec;
  if (fs::is_regular_file(start / kProjectFileName, ec)) return start / kProjectFileName;
  const auto anchors = detail::find_anchor_files(start);
  if (anchors.empty()) return std::nullopt;
  return anchors.front();
}

LoadedProject load_project_file(const fs::path& named, ProblemPolicy policy) {
  const fs::path path = locate_project(named);
  if (path.filename() == kAnchorFile) return load_component_project(path, policy);
  const std::string text = read_file(path);
  const fs::path absolute = fs::absolute(path);
  return parse_project_text(text, path.string(), absolute.parent_path());
}

std::string dump_project(const ProjectConfig& project) { return to_json(project).dump(2) + "\n"; }

void save_project_file(const ProjectConfig& project, const fs::path& path) {
  const std::string text = dump_project(project);
  const fs::path temp = path.string() + ".tmp." + std::to_string(::getpid());
  const auto io_error = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    fs::remove(temp, ignored);
    return Error(ErrorCode::kIo, fmt::format("{}: {} failed: {}", path.string(), what, reason));
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("creating a temporary file");
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw io_error("writing");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw io_error("flushing");
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) throw io_error("renaming into place");
}

}  // namespace aurite::config
