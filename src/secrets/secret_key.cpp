// Where the key comes from. A created key file is written with O_EXCL at mode 0600, so
// two processes starting at once agree on one key (the loser reads the winner's).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"
#include "aurite/secrets/secret_box.hpp"

namespace aurite::secrets {
namespace {

std::string trimmed(std::string text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  const auto end = text.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

// 64 hex digits, or base64 of 32 bytes; nullopt for anything else.
std::optional<std::array<std::uint8_t, kKeyBytes>> parse_key(const std::string& text) {
  std::optional<std::string> raw = text.size() == 2 * kKeyBytes ? from_hex(text) : std::nullopt;
  if (!raw) raw = base64_decode(text);
  if (!raw || raw->size() != kKeyBytes) return std::nullopt;
  std::array<std::uint8_t, kKeyBytes> key{};
  std::memcpy(key.data(), raw->data(), kKeyBytes);
  OPENSSL_cleanse(raw->data(), raw->size());
  return key;
}

Error not_a_key(const std::string& where) {
  return Error(ErrorCode::kInvalidConfig,
               where + " does not hold a secret key: 32 bytes as 64 hex digits or as base64 are expected "
                       "(make one with: openssl rand -hex 32)");
}

std::array<std::uint8_t, kKeyBytes> read_key_file(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    throw Error(ErrorCode::kIo, fmt::format("the secret key file {}: {}", file.string(), std::strerror(errno)));
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("the secret key file {} may be read by others (mode {:o}); allow only its owner: "
                            "chmod 600 {}",
                            file.string(), info.st_mode & 0777, file.string()));
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw Error(ErrorCode::kIo, "the secret key file " + file.string() + " cannot be read");
  std::string content = text.str();
  const auto key = parse_key(trimmed(content));
  OPENSSL_cleanse(content.data(), content.size());
  if (!key) throw not_a_key("the secret key file " + file.string());
  return *key;
}

// Creates `file` with a new key unless it exists; false when another process was first.
bool create_key_file(const std::filesystem::path& file) {
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  ::chmod(file.parent_path().c_str(), 0700);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw Error(ErrorCode::kIo, fmt::format("cannot create the secret key file {}: {}", file.string(), std::strerror(errno)));
  }
  std::string key = to_hex(random_bytes(kKeyBytes)) + "\n";
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  OPENSSL_cleanse(key.data(), key.size());
  ::close(fd);
  if (!written) {
    ::unlink(file.c_str());
    throw Error(ErrorCode::kIo, "cannot write the secret key file " + file.string());
  }
  return true;
}

}  // namespace

std::array<std::uint8_t, kKeyBytes> load_secret_key(const std::filesystem::path& default_file) {
  if (auto value = get_env("AURITE_SECRET_KEY")) {
    const auto key = parse_key(trimmed(*value));
    OPENSSL_cleanse(value->data(), value->size());
    if (!key) throw not_a_key("AURITE_SECRET_KEY");
    return *key;
  }
  if (auto file = get_env("AURITE_SECRET_KEY_FILE"); file && !file->empty()) return read_key_file(*file);
  create_key_file(default_file);
  return read_key_file(default_file);
}

std::shared_ptr<const SecretBox> default_secret_box() {
  static std::mutex mutex;
  static std::shared_ptr<const SecretBox> box;
  std::lock_guard lock(mutex);
  if (!box) box = std::make_shared<const SecretBox>(load_secret_key(user_config_dir() / "secret.key"));
  return box;
}

bool secret_key_is_machine_local() {
  if (get_env("AURITE_SECRET_KEY")) return false;
  const auto file = get_env("AURITE_SECRET_KEY_FILE");
  return !file || file->empty();
}

std::filesystem::path user_config_dir() {
  if (auto xdg = get_env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) return std::filesystem::path(*xdg) / "aurite";
  if (auto home = get_env("HOME"); home && !home->empty()) return std::filesystem::path(*home) / ".config" / "aurite";
  throw Error(ErrorCode::kInvalidConfig, "neither XDG_CONFIG_HOME nor HOME is set: there is no folder to keep "
                                         "credentials in (set one, or AURITE_SECRET_KEY and the database)");
}

}  // namespace aurite::secrets
