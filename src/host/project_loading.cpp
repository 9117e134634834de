#include "aurite/host/project_loading.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/ranges.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/config/validate.hpp"

namespace aurite::host {
namespace {

constexpr const char* kSourceVariable = "AURITE_CONFIG_SOURCE";

storage::DbConfigStore& store_for(ConfigSource source, storage::StorageManager* storage) {
  if (storage == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "--config-source " + std::string(to_string(source)) +
                                                 " reads the database, which is disabled (set AURITE_ENABLE_DB=true)");
  }
  storage::DbConfigStore* store = storage->configs();
  if (store == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "--config-source " + std::string(to_string(source)) +
                                                 " reads configurations from the database, which does not store "
                                                 "them (AURITE_DB_STORE_CONFIGS=false)");
  }
  return *store;
}

void validate_or_throw(const config::ProjectConfig& project, const std::string& source) {
  auto diagnostics = config::validate_project(project);
  if (!diagnostics.empty()) throw ConfigError(source, std::move(diagnostics));
}

void sync(const config::ProjectConfig& project, storage::StorageManager* storage) {
  if (storage == nullptr || storage->configs() == nullptr) return;
  const storage::SyncCounts counts = storage->configs()->sync_configs(project, /*prune=*/false);
  spdlog::info("configs synced to {}: {} inserted, {} updated, {} unchanged", storage->settings().masked(),
               counts.inserted, counts.updated, counts.unchanged);
}

// Appends to `into` the components of `from` whose names `into` does not hold.
template <typename T>
void add_missing(std::vector<T>& into, const std::vector<T>& from) {
  std::set<std::string> names;
  for (const T& c : into) names.insert(config::name_of(c));
  for (const T& c : from) {
    if (!names.contains(config::name_of(c))) into.push_back(c);
  }
}

}  // namespace

bool strict_config_from_env() { return env_bool("AURITE_STRICT_CONFIG", false); }

config::LoadedProject read_project_file(const std::filesystem::path& file, bool strict) {
  // A component with problems leaves out only what depends on it; running that says why.
  config::LoadedProject loaded = config::load_project_file(file, config::ProblemPolicy::kLeaveOut);
  for (const auto& warning : loaded.warnings) spdlog::warn("{}", warning);
  const auto& keys = loaded.unknown_keys;
  if (keys.empty()) return loaded;
  if (strict) throw ConfigError(file.string(), config::unknown_key_errors(keys));
  std::vector<std::string> named;
  named.reserve(keys.size());
  for (const auto& key : keys) {
    named.push_back(key.suggestion.empty() ? key.path : key.path + " (did you mean '" + key.suggestion + "'?)");
  }
  spdlog::warn("{}: {} unknown key{} kept as written: {}", file.string(), keys.size(), keys.size() == 1 ? "" : "s",
               fmt::join(named, ", "));
  return loaded;
}

std::string_view to_string(ConfigSource source) {
  switch (source) {
    case ConfigSource::kFile: return "file";
    case ConfigSource::kDb: return "db";
    case ConfigSource::kMerge: return "merge";
  }
  return "file";
}

ConfigSource parse_config_source(std::string_view value, std::string_view origin) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "file") return ConfigSource::kFile;
  if (lower == "db") return ConfigSource::kDb;
  if (lower == "merge") return ConfigSource::kMerge;
  throw Error(ErrorCode::kInvalidArgument, std::string(origin) + ": '" + std::string(value) +
                                               "' is not a config source (use file, db or merge)");
}

ConfigSource resolve_config_source(const std::optional<std::string>& flag) {
  if (flag) return parse_config_source(*flag, "--config-source");
  const std::optional<std::string> env = get_env(kSourceVariable);
  if (!env || env->empty()) return ConfigSource::kFile;
  return parse_config_source(*env, kSourceVariable);
}

config::ProjectConfig load_project(const std::filesystem::path& file, ConfigSource source,
                                   storage::StorageManager* storage) {
  switch (source) {
    case ConfigSource::kFile: {
      config::ProjectConfig project = read_project_file(file, strict_config_from_env()).project;
      sync(project, storage);
      return project;
    }
    case ConfigSource::kDb: {
      storage::DbConfigStore& store = store_for(source, storage);
      config::ProjectConfig project = store.load_configs();
      project.base_dir = std::filesystem::current_path();
      validate_or_throw(project, storage->settings().masked());
      spdlog::info("configs loaded from {}", storage->settings().masked());
      return project;
    }
    case ConfigSource::kMerge: {
      storage::DbConfigStore& store = store_for(source, storage);
      config::ProjectConfig file_project = read_project_file(file, strict_config_from_env()).project;
      config::ProjectConfig project = file_project;
      const config::ProjectConfig stored = store.load_configs();
      add_missing(project.clients, stored.clients);
      add_missing(project.llms, stored.llms);
      add_missing(project.agents, stored.agents);
      add_missing(project.workflows, stored.workflows);
      add_missing(project.custom_workflows, stored.custom_workflows);
      add_missing(project.graph_workflows, stored.graph_workflows);
      validate_or_throw(project, file.string() + " merged with " + storage->settings().masked());
      sync(file_project, storage);
      return project;
    }
  }
  throw Error(ErrorCode::kInternal, "unknown config source");
}

}  // namespace aurite::host
