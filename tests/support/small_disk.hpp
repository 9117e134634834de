// Real file-system faults for storage tests: a disk that fills up, and a way to fill it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace aurite::testing {

// A tmpfs of `bytes` mounted on a folder for the life of the object: a real file system
// that runs out of space. Mounting needs root with CAP_SYS_ADMIN (a VM, or a privileged
// container).
class TmpfsMount {
 public:
  // Mounts on `where` (created when missing). Throws std::runtime_error with errno's
  // text when mount(2) fails for any reason but the ones unavailable() reports.
  TmpfsMount(std::filesystem::path where, std::size_t bytes);
  // Unmounts (lazily, so files still open do not keep it busy).
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::filesystem::path& path() const { return where_; }

  // Why no tmpfs can be mounted here (not root, or mounting refused to a container
  // without CAP_SYS_ADMIN), tried once on a scratch folder; nullopt when it can.
  static std::optional<std::string> unavailable();

 private:
  std::filesystem::path where_;
};

// Writes `path` until the file system says ENOSPC, so the next write anywhere on it
// fails. Returns the bytes written. Throws std::runtime_error on any other error, or
// when more than `limit` bytes fit (not the small disk the caller thought).
std::size_t fill_until_full(const std::filesystem::path& path, std::size_t limit = 64u << 20);

}  // namespace aurite::testing
