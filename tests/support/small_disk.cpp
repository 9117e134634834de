#include "support/small_disk.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/unprivileged_user.hpp"

namespace aurite::testing {
namespace {

// The errors with which mount(2) says "not allowed here", as opposed to "broken".
bool refused(int error) {
  return error == EPERM || error == EACCES;
}

int mount_tmpfs(const std::filesystem::path& where, std::size_t bytes) {
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
  return ::mount("tmpfs", where.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0 ? 0 : errno;
}

struct FileDescriptor {
  explicit FileDescriptor(int descriptor) : fd(descriptor) {}
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  const int fd;
};

}  // namespace

TmpfsMount::TmpfsMount(std::filesystem::path where, std::size_t bytes) : where_(std::move(where)) {
  std::filesystem::create_directories(where_);
  if (const int error = mount_tmpfs(where_, bytes); error != 0) {
    throw std::runtime_error("mount -t tmpfs on " + where_.string() + " failed: " + std::strerror(error));
  }
}

TmpfsMount::~TmpfsMount() {
  ::umount2(where_.c_str(), MNT_DETACH);
}

std::optional<std::string> TmpfsMount::unavailable() {
  if (!running_as_root()) return "mounting a tmpfs needs root and the tests run as another user";
  TempDir scratch;
  const int error = mount_tmpfs(scratch.path(), 64 * 1024);
  if (error == 0) {
    ::umount2(scratch.path().c_str(), MNT_DETACH);
    return std::nullopt;
  }
  if (refused(error)) {
    return std::string("mount(2) is refused here (a container without CAP_SYS_ADMIN?): ") +
           std::strerror(error);
  }
  throw std::runtime_error(std::string("mount -t tmpfs failed: ") + std::strerror(error));
}

std::size_t fill_until_full(const std::filesystem::path& path, std::size_t limit) {
  const FileDescriptor file(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  const int fd = file.fd;
  if (fd < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  const std::vector<char> block(4096, 'f');
  std::size_t written = 0;
  // Smaller writes at the end fill the last partial page too.
  for (std::size_t size = block.size(); size > 0;) {
    const ssize_t n = ::write(fd, block.data(), size);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      if (written > limit)
        throw std::runtime_error(path.string() + " holds more than expected: not a small disk");
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != ENOSPC) throw std::runtime_error("writing " + path.string() + ": " + std::strerror(errno));
    size /= 2;
  }
  return written;
}

}  // namespace aurite::testing
