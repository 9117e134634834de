// Sets and unsets environment variables for the life of a test, restoring them after.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace aurite::testing {

class ScopedEnv {
 public:
  ScopedEnv() = default;
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old) {
        ::setenv(name.c_str(), old->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  ScopedEnv& set(const std::string& name, const std::string& value) {
    save(name);
    ::setenv(name.c_str(), value.c_str(), 1);
    return *this;
  }
  ScopedEnv& unset(const std::string& name) {
    save(name);
    ::unsetenv(name.c_str());
    return *this;
  }
  // Unsets every AURITE_DB_* / AURITE_ENABLE_DB variable, so the host's do not leak in.
  ScopedEnv& clear_storage() {
    for (const char* name : {"AURITE_ENABLE_DB", "AURITE_DB_STORE_CONFIGS", "AURITE_DB_STORE_HISTORY",
                             "AURITE_DB_TYPE", "AURITE_DB_URL", "AURITE_DB_PATH", "AURITE_DB_HOST",
                             "AURITE_DB_PORT", "AURITE_DB_USER", "AURITE_DB_PASSWORD", "AURITE_DB_NAME",
                             "AURITE_DB_SSLMODE", "AURITE_DB_POOL_SIZE", "AURITE_DB_OPTIONAL"}) {
      unset(name);
    }
    return *this;
  }

 private:
  void save(const std::string& name) {
    if (saved_.contains(name)) return;
    const char* old = std::getenv(name.c_str());
    saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace aurite::testing
