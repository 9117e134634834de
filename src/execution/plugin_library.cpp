#include "execution/plugin_library.hpp"

#include <dlfcn.h>

#include <sstream>

#include <fmt/format.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"

namespace aurite::execution {

std::filesystem::path resolve_module_path(const std::filesystem::path& base_dir, const std::string& module_path) {
  const auto direct = config::resolve_path(base_dir, module_path);
  std::error_code ec;
  if (std::filesystem::exists(direct, ec)) return direct;
  if (const auto search = get_env("AURITE_PLUGIN_PATH")) {
    std::istringstream folders(*search);
    for (std::string folder; std::getline(folders, folder, ':');) {
      if (folder.empty()) continue;
      const auto candidate = std::filesystem::path(folder) / std::filesystem::path(module_path).filename();
      if (std::filesystem::exists(candidate, ec)) return candidate;
    }
  }
  return direct;
}

LoadedPlugins::~LoadedPlugins() {
  for (auto& [path, library] : libraries_) ::dlclose(library.first);
}

std::unique_ptr<CustomWorkflow> LoadedPlugins::create(const std::filesystem::path& path, const std::string& class_name) {
  std::lock_guard lock(mutex_);
  auto it = libraries_.find(path.string());
  if (it == libraries_.end()) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      throw Error(ErrorCode::kInvalidConfig, fmt::format("cannot load workflow library {}: {}", path.string(), ::dlerror()));
    }
    const auto abi = reinterpret_cast<int (*)()>(::dlsym(handle, "aurite_workflow_plugin_abi"));
    const auto create = reinterpret_cast<CreateFn>(::dlsym(handle, "aurite_create_workflow"));
    if (abi == nullptr || create == nullptr) {
      ::dlclose(handle);
      throw Error(ErrorCode::kInvalidConfig,
                  fmt::format("{} is not a workflow library (it lacks aurite_workflow_plugin_abi or "
                              "aurite_create_workflow; see AURITE_WORKFLOW_PLUGIN)", path.string()));
    }
    if (abi() != kWorkflowPluginAbi) {
      const int version = abi();
      ::dlclose(handle);
      throw Error(ErrorCode::kInvalidConfig, fmt::format("{} was built for workflow plugin ABI {}, this program has {}",
                                                         path.string(), version, kWorkflowPluginAbi));
    }
    it = libraries_.emplace(path.string(), std::make_pair(handle, create)).first;
  }
  std::unique_ptr<CustomWorkflow> workflow(it->second.second(class_name.c_str()));
  if (!workflow) {
    throw Error(ErrorCode::kInvalidConfig, fmt::format("{} has no workflow class '{}'", path.string(), class_name));
  }
  return workflow;
}

}  // namespace aurite::execution
