#include "execution/plugin_library.hpp"

#include <dlfcn.h>

#include <sstream>

#include <fmt/format.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"
#include "common/program_location.hpp"

namespace aurite::execution {

namespace {

// Whether `path` lies inside `folder`; both absolute and normal.
bool within(const std::filesystem::path& folder, const std::filesystem::path& path) {
  auto f = folder.begin();
  auto p = path.begin();
  for (; f != folder.end() && !f->empty(); ++f, ++p) {
    if (p == path.end() || *f != *p) return false;
  }
  return true;
}

std::filesystem::path absolute_normal(const std::filesystem::path& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal();
}

[[noreturn]] void refuse(const std::string& module_path, const std::filesystem::path& project, const std::string& why) {
  throw Error(ErrorCode::kInvalidConfig,
              fmt::format("module_path '{}' {} the project folder {}: a workflow library must lie inside it or be "
                          "found by file name in a folder of AURITE_PLUGIN_PATH (set "
                          "AURITE_ALLOW_EXTERNAL_MODULES=true to load libraries from anywhere)",
                          module_path, why, project.string()));
}

}  // namespace

std::filesystem::path resolve_module_path(const std::filesystem::path& base_dir, const std::string& module_path,
                                          const std::vector<std::filesystem::path>& installation) {
  const auto project = absolute_normal(base_dir.empty() ? std::filesystem::path(".") : base_dir);
  const auto direct = absolute_normal(config::resolve_path(project, module_path));
  const bool allow_external = env_bool("AURITE_ALLOW_EXTERNAL_MODULES", false);
  if (!allow_external && !within(project, direct)) refuse(module_path, project, "leaves");
  std::error_code ec;
  if (std::filesystem::exists(direct, ec)) {
    // A symbolic link inside the project may still lead out of it.
    const auto real = std::filesystem::canonical(direct, ec);
    if (!allow_external && !ec && !within(std::filesystem::canonical(project, ec), real)) {
      refuse(module_path, project, "links out of");
    }
    return direct;
  }
  std::vector<std::filesystem::path> folders;
  if (const auto search = get_env("AURITE_PLUGIN_PATH")) {
    std::istringstream in(*search);
    for (std::string folder; std::getline(in, folder, ':');) {
      if (!folder.empty()) folders.emplace_back(folder);
    }
  }
  folders.insert(folders.end(), installation.begin(), installation.end());
  for (const auto& folder : folders) {
    const auto candidate = folder / direct.filename();
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return direct;
}

std::vector<std::filesystem::path> installation_plugin_folders(const std::filesystem::path& program_folder) {
  if (program_folder.empty()) return {};
  const auto prefix = program_folder.parent_path();
  return {prefix / "plugins", prefix / AURITE_PLUGIN_INSTALL_DIR};
}

std::filesystem::path resolve_module_path(const std::filesystem::path& base_dir, const std::string& module_path) {
  return resolve_module_path(base_dir, module_path, installation_plugin_folders(aurite::detail::running_program_folder()));
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
