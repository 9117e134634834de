#include "mcp/program_lookup.hpp"

#include <unistd.h>

#include <sstream>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "common/program_location.hpp"

namespace aurite::mcp::detail {
namespace {

bool is_executable_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::vector<std::string> split_path(const std::string& path_variable) {
  if (path_variable.empty()) return {""};  // exec reads an empty PATH as the current folder
  std::vector<std::string> out;
  std::istringstream in(path_variable);
  for (std::string entry; std::getline(in, entry, ':');) out.push_back(entry);
  if (path_variable.back() == ':') out.emplace_back();  // a trailing empty entry
  return out;
}

}  // namespace

std::vector<std::filesystem::path> installation_folders(const std::filesystem::path& program_folder) {
  if (program_folder.empty()) return {};
  std::vector<std::filesystem::path> out = {program_folder};
  if (program_folder.filename() == "bin") out.push_back(program_folder.parent_path() / "libexec" / "aurite");
  return out;
}

std::string resolve_command(const std::string& command, const std::string& path_variable,
                            const std::vector<std::filesystem::path>& fallback) {
  if (command.empty() || command.find('/') != std::string::npos) return command;
  for (const auto& entry : split_path(path_variable)) {
    if (entry.empty() || entry.front() != '/') return command;
    if (is_executable_file(std::filesystem::path(entry) / command)) return command;
  }
  for (const auto& folder : fallback) {
    const auto candidate = folder / command;
    if (is_executable_file(candidate)) return candidate.string();
  }
  std::string searched = "PATH";
  for (const auto& folder : fallback) searched += ", " + folder.string();
  throw Error(ErrorCode::kUnavailable, "cannot start '" + command + "': no such program in " + searched);
}

std::string resolve_command(const std::string& command) {
  // exec's own default when PATH is not set at all.
  const std::string path_variable = get_env("PATH").value_or("/bin:/usr/bin");
  return resolve_command(command, path_variable,
                         installation_folders(aurite::detail::running_program_folder()));
}

}  // namespace aurite::mcp::detail
