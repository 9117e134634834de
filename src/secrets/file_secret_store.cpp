// One sealed file per name. Reads need no lock (a rename replaces a file whole);
// updates take an exclusive flock on the folder's lock file, which every process of
// ours honours, so a read-modify-write never interleaves with another.
#include "aurite/secrets/file_secret_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"

namespace aurite::secrets {
namespace {

constexpr std::string_view kSuffix = ".sealed";

Error io_error(const std::string& what, const std::filesystem::path& path) {
  return Error(ErrorCode::kIo, fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

// File names keep letters, digits, '.', '_' and '-'; every other byte is %XX.
std::string encode_name(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '.' || c == '_' || c == '-') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

std::optional<std::string> decode_name(std::string_view file) {
  std::string out;
  for (std::size_t i = 0; i < file.size(); ++i) {
    if (file[i] != '%') {
      out += file[i];
      continue;
    }
    const auto byte = i + 2 < file.size() ? from_hex(file.substr(i + 1, 2)) : std::nullopt;
    if (!byte) return std::nullopt;
    out += *byte;
    i += 2;
  }
  return out;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The folder's update lock, held for the lifetime of the object.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir)
      : fd_(::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_.get() < 0) throw io_error("cannot open the lock file", dir / ".lock");
    while (::flock(fd_.get(), LOCK_EX) != 0) {
      if (errno != EINTR) throw io_error("cannot lock", dir / ".lock");
    }
  }

 private:
  FileDescriptor fd_;
};

}  // namespace

FileSecretStore::FileSecretStore(std::filesystem::path dir, std::shared_ptr<const SecretBox> box)
    : dir_(std::move(dir)), box_(std::move(box)) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error || !std::filesystem::is_directory(dir_)) {
    throw Error(ErrorCode::kIo, fmt::format("cannot create the folder for credentials {}: {}", dir_.string(),
                                            error ? error.message() : "not a folder"));
  }
  if (::chmod(dir_.c_str(), 0700) != 0) throw io_error("cannot restrict the folder", dir_);
}

std::filesystem::path FileSecretStore::default_dir() { return user_config_dir() / "secrets"; }

std::filesystem::path FileSecretStore::file_of(std::string_view name) const {
  return dir_ / (encode_name(name) + std::string(kSuffix));
}

std::optional<std::string> FileSecretStore::read(std::string_view name) const {
  const auto file = file_of(name);
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw io_error("cannot read", file);
  }
  std::string sealed;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw io_error("cannot read", file);
    if (got == 0) break;
    sealed.append(buffer, static_cast<std::size_t>(got));
  }
  return box_->open(name, sealed);
}

void FileSecretStore::write(std::string_view name, std::string_view value) const {
  const auto file = file_of(name);
  const auto temporary = file.string() + ".tmp." + std::to_string(::getpid());
  const std::string sealed = box_->seal(name, value);
  {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) throw io_error("cannot write", temporary);
    const bool written = ::write(fd.get(), sealed.data(), sealed.size()) == static_cast<ssize_t>(sealed.size()) &&
                         ::fsync(fd.get()) == 0;
    if (!written) {
      const Error error = io_error("cannot write", temporary);
      ::unlink(temporary.c_str());
      throw error;
    }
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    const Error error = io_error("cannot replace", file);
    ::unlink(temporary.c_str());
    throw error;
  }
  FileDescriptor folder(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() >= 0) ::fsync(folder.get());
}

std::optional<std::string> FileSecretStore::get(std::string_view name) { return read(name); }

void FileSecretStore::put(std::string_view name, std::string_view value) {
  FolderLock lock(dir_);
  write(name, value);
}

bool FileSecretStore::remove(std::string_view name) {
  FolderLock lock(dir_);
  const auto file = file_of(name);
  if (::unlink(file.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throw io_error("cannot remove", file);
}

std::vector<std::string> FileSecretStore::names(std::string_view prefix) {
  std::vector<std::string> out;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, error)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= kSuffix.size() || file.compare(file.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      continue;
    }
    const auto name = decode_name(std::string_view(file).substr(0, file.size() - kSuffix.size()));
    if (name && name->rfind(prefix, 0) == 0) out.push_back(*name);
  }
  if (error) throw Error(ErrorCode::kIo, fmt::format("cannot list {}: {}", dir_.string(), error.message()));
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> FileSecretStore::update(std::string_view name, const Change& change) {
  FolderLock lock(dir_);
  const auto current = read(name);
  auto next = change(current);
  if (!next) return current;
  write(name, *next);
  return next;
}

namespace {

class LazyStore final : public SecretStore {
 public:
  LazyStore(std::function<std::shared_ptr<SecretStore>()> open, std::string location)
      : open_(std::move(open)), location_(std::move(location)) {}

  std::optional<std::string> get(std::string_view name) override { return store().get(name); }
  void put(std::string_view name, std::string_view value) override { store().put(name, value); }
  bool remove(std::string_view name) override { return store().remove(name); }
  std::vector<std::string> names(std::string_view prefix) override { return store().names(prefix); }
  std::optional<std::string> update(std::string_view name, const Change& change) override {
    return store().update(name, change);
  }
  std::string location() const override {
    std::lock_guard lock(mutex_);
    return store_ ? store_->location() : location_;
  }

 private:
  SecretStore& store() {
    std::lock_guard lock(mutex_);
    if (!store_) store_ = open_();
    return *store_;
  }

  std::function<std::shared_ptr<SecretStore>()> open_;
  std::string location_;
  mutable std::mutex mutex_;
  std::shared_ptr<SecretStore> store_;
};

}  // namespace

std::shared_ptr<SecretStore> lazy_store(std::function<std::shared_ptr<SecretStore>()> open, std::string location) {
  return std::make_shared<LazyStore>(std::move(open), std::move(location));
}

std::shared_ptr<SecretStore> default_file_store() {
  std::string location;
  try {
    location = FileSecretStore::default_dir().string();
  } catch (const Error&) {
    location = "the user's configuration folder";
  }
  return lazy_store([] { return std::make_shared<FileSecretStore>(FileSecretStore::default_dir(), default_secret_box()); },
                    std::move(location));
}

}  // namespace aurite::secrets
