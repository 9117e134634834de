// Shared libraries holding custom workflows, loaded once and kept for the life of the
// facade (a workflow object must not outlive its code).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aurite/execution/custom_workflow.hpp"

namespace aurite::execution {

// The library a custom workflow's module_path names. module_path must stay inside the
// project folder `base_dir` (the current folder when empty): an absolute path elsewhere, a
// "../" that climbs out, or a symbolic link inside that leads out throws
// Error(kInvalidConfig) naming module_path and the folder, because a configuration (one
// posted to the API included) must not make the process load any library on the machine.
// The operator lifts this with AURITE_ALLOW_EXTERNAL_MODULES=true. The file is taken where
// module_path points when it exists, else by file name from the first folder of
// $AURITE_PLUGIN_PATH (colon-separated, chosen by the operator) that holds it, else from
// the plugin folders of the installation (installation_plugin_folders of the running
// program: whoever installed aurite chose them too, and the example project's plugin is
// found there); when none does, the path where it was looked for (so the load error names it).
std::filesystem::path resolve_module_path(const std::filesystem::path& base_dir, const std::string& module_path);

// The same with the installation's folders given.
std::filesystem::path resolve_module_path(const std::filesystem::path& base_dir, const std::string& module_path,
                                          const std::vector<std::filesystem::path>& installation);

// The plugin folders of an installation whose program lives in `program_folder`:
// <prefix>/plugins (the build tree: build/<preset>/bin next to build/<preset>/plugins)
// and <prefix>/<libdir>/aurite/plugins (where the package installs the example plugin).
std::vector<std::filesystem::path> installation_plugin_folders(const std::filesystem::path& program_folder);

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
