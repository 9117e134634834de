// Shared libraries holding custom workflows, loaded once and kept for the life of the
// facade (a workflow object must not outlive its code).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aurite/execution/custom_workflow.hpp"

namespace aurite::execution {

// The path a module_path names: against `base_dir` when that file exists, else the file
// name in each folder of $AURITE_PLUGIN_PATH (colon-separated); the first found, or the
// base_dir path when none exists (so the error names where it was looked for).
std::filesystem::path resolve_module_path(const std::filesystem::path& base_dir, const std::string& module_path);

class LoadedPlugins {
 public:
  LoadedPlugins() = default;
  ~LoadedPlugins();
  LoadedPlugins(const LoadedPlugins&) = delete;
  LoadedPlugins& operator=(const LoadedPlugins&) = delete;

  // A new workflow object of `class_name` from the library at `path`.
  std::unique_ptr<CustomWorkflow> create(const std::filesystem::path& path, const std::string& class_name);

 private:
  using CreateFn = CustomWorkflow* (*)(const char*);
  std::mutex mutex_;
  std::map<std::string, std::pair<void*, CreateFn>> libraries_;  // path -> (dlopen handle, entry)
};

}  // namespace aurite::execution
