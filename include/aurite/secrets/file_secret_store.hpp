// secrets/file_secret_store — the SecretStore of a machine without the database: one
// sealed file per name in a folder only the user can open (0700, files 0600), written
// atomically (temporary file, fsync, rename), updates serialised across processes with
// an advisory lock (flock) on a lock file beside each value.
#pragma once

#include <filesystem>
#include <memory>

#include "aurite/secrets/secret_box.hpp"
#include "aurite/secrets/secret_store.hpp"

namespace aurite::secrets {

class FileSecretStore final : public SecretStore {
 public:
  // Creates `dir` (0700) when it does not exist. Throws Error(kIo) naming it otherwise.
  FileSecretStore(std::filesystem::path dir, std::shared_ptr<const SecretBox> box);

  std::optional<std::string> get(std::string_view name) override;
  void put(std::string_view name, std::string_view value) override;
  bool remove(std::string_view name) override;
  std::vector<std::string> names(std::string_view prefix) override;
  std::optional<std::string> update(std::string_view name, const Change& change) override;
  std::string location() const override { return dir_.string(); }

  // The default folder: user_config_dir() / "secrets".
  static std::filesystem::path default_dir();

 private:
  std::filesystem::path file_of(std::string_view name) const;
  std::optional<std::string> read(std::string_view name) const;
  void write(std::string_view name, std::string_view value) const;

  std::filesystem::path dir_;
  std::shared_ptr<const SecretBox> box_;
};

// The store of a process without the database: FileSecretStore in default_dir(), its
// key from load_secret_key(user_config_dir() / "secret.key"). Opened on first use, so a
// process that never needs a secret never creates a key, and a folder or key that is
// not right fails only what needs it (each use throws the same error again).
std::shared_ptr<SecretStore> default_file_store();

}  // namespace aurite::secrets
