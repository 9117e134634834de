// HostManager::reload_configs and its polling thread: how configs registered through one
// process reach the others that share its database (see host_manager.hpp).
#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/error.hpp"
#include "aurite/config/validate.hpp"
#include "aurite/host/host_manager.hpp"

namespace aurite::host {

using config::ComponentKind;
using config::ProjectConfig;

namespace {

using HashKey = std::pair<ComponentKind, std::string>;
using Hashes = std::map<HashKey, std::string>;

Hashes hashes_of(const std::vector<storage::StoredConfigInfo>& listed) {
  Hashes hashes;
  for (const auto& info : listed) hashes.emplace(HashKey{info.kind, info.name}, info.config_hash);
  return hashes;
}

// Applies to `items` (one registry of the project in memory) the components of `stored`
// whose hash moved since `seen`, and removes those `seen` had and `listed` no longer has.
// A component written or deleted between the listing and the read is left to the next
// reload, which will see its hash move again.
template <typename T>
void apply_stored_changes(std::vector<T>& items, const std::vector<T>& stored, ComponentKind kind,
                          const Hashes& seen, const Hashes& listed, ConfigChanges& changes) {
  const auto find = [&](const std::string& name) {
    return std::find_if(items.begin(), items.end(), [&](const T& item) { return config::name_of(item) == name; });
  };
  const auto label = [&](const std::string& name) { return fmt::format("{} '{}'", config::kind_name(kind), name); };
  for (const T& component : stored) {
    const HashKey key{kind, config::name_of(component)};
    const auto now = listed.find(key);
    if (now == listed.end()) continue;
    const auto before = seen.find(key);
    if (before != seen.end() && before->second == now->second) continue;
    const auto existing = find(key.second);
    if (existing == items.end()) {
      items.push_back(component);
      changes.added.push_back(label(key.second));
    } else if (!(*existing == component)) {
      *existing = component;
      changes.updated.push_back(label(key.second));
    }
  }
  for (const auto& [key, hash] : seen) {
    if (key.first != kind || listed.contains(key)) continue;
    if (const auto gone = find(key.second); gone != items.end()) {
      items.erase(gone);
      changes.removed.push_back(label(key.second));
    }
  }
}

std::string describe(const ConfigChanges& changes) {
  std::vector<std::string> parts;
  if (!changes.added.empty()) parts.push_back(fmt::format("added {}", fmt::join(changes.added, ", ")));
  if (!changes.updated.empty()) parts.push_back(fmt::format("updated {}", fmt::join(changes.updated, ", ")));
  if (!changes.removed.empty()) parts.push_back(fmt::format("removed {}", fmt::join(changes.removed, ", ")));
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

void HostManager::follow_config_store(std::shared_ptr<storage::DbConfigStore> store,
                                      const std::vector<storage::StoredConfigInfo>& baseline) {
  std::lock_guard reloading(reload_mutex_);
  followed_store_ = std::move(store);
  seen_hashes_ = hashes_of(baseline);
}

ConfigChanges HostManager::reload_configs() {
  std::lock_guard reloading(reload_mutex_);
  if (!followed_store_) return {};
  // The cheap check, without holding up registrations.
  if (hashes_of(followed_store_->list_configs()) == seen_hashes_) return {};

  // Registrations wait from here: none can land between this read and the swap, so a
  // local write is never overwritten by the older stored state read just before it.
  std::lock_guard registration(registration_mutex_);
  const Hashes listed = hashes_of(followed_store_->list_configs());
  const ProjectConfig stored = followed_store_->load_configs();
  ProjectConfig candidate = snapshot();
  ConfigChanges changes;
  apply_stored_changes(candidate.clients, stored.clients, ComponentKind::kClient, seen_hashes_, listed, changes);
  apply_stored_changes(candidate.llms, stored.llms, ComponentKind::kLlm, seen_hashes_, listed, changes);
  apply_stored_changes(candidate.agents, stored.agents, ComponentKind::kAgent, seen_hashes_, listed, changes);
  apply_stored_changes(candidate.workflows, stored.workflows, ComponentKind::kWorkflow, seen_hashes_, listed, changes);
  apply_stored_changes(candidate.custom_workflows, stored.custom_workflows, ComponentKind::kCustomWorkflow,
                       seen_hashes_, listed, changes);
  apply_stored_changes(candidate.graph_workflows, stored.graph_workflows, ComponentKind::kGraphWorkflow,
                       seen_hashes_, listed, changes);
  if (!changes.empty()) {
    if (auto problems = config::validate_project(candidate); !problems.empty()) {
      const std::string where = storage_ ? storage_->settings().masked() : std::string("the config store");
      throw ConfigError(fmt::format("configs changed in {} ({})", where, describe(changes)), std::move(problems));
    }
    publish(std::move(candidate));
    spdlog::debug("configs reloaded: {}", describe(changes));
  }
  // Also when nothing changed in memory: the hashes moved because of this process's own
  // writes, which memory already holds.
  seen_hashes_ = listed;
  return changes;
}

void HostManager::start_config_reload(std::chrono::milliseconds interval) {
  if (reloader_.joinable()) throw Error(ErrorCode::kInvalidArgument, "the config reload is already running");
  {
    std::lock_guard reloading(reload_mutex_);
    if (!followed_store_ || interval <= std::chrono::milliseconds::zero()) return;
  }
  spdlog::debug("reloading configs from the database every {} ms", interval.count());
  reloader_ = std::jthread([this, interval](std::stop_token stop) { reload_loop(stop, interval); });
}

void HostManager::reload_loop(const std::stop_token& stop, std::chrono::milliseconds interval) {
  std::mutex wait_mutex;
  std::condition_variable_any wake;
  std::string last_failure;  // warned about once, until a reload succeeds again
  while (true) {
    {
      std::unique_lock lock(wait_mutex);
      (void)wake.wait_for(lock, stop, interval, [] { return false; });  // woken early only to stop
    }
    if (stop.stop_requested()) return;
    try {
      reload_configs();
      if (!last_failure.empty()) spdlog::info("config reload works again");
      last_failure.clear();
    } catch (const std::exception& error) {
      if (error.what() != last_failure) {
        spdlog::warn("configs not reloaded, still serving the last good ones (retrying every {} ms): {}",
                     interval.count(), error.what());
        last_failure = error.what();
      }
    }
  }
}

}  // namespace aurite::host
