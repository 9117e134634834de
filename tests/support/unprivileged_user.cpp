#include "support/unprivileged_user.hpp"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/subprocess.hpp"

namespace aurite::testing {
namespace {

// System tools live in /usr/sbin, which a non-login PATH may lack.
std::string system_tool(const std::string& name) {
  const std::string path = "/usr/sbin/" + name;
  return std::filesystem::exists(path) ? path : name;
}

}  // namespace

bool running_as_root() {
  return ::geteuid() == 0;
}

void ensure_unprivileged_user() {
  // Test programs run in parallel may all get here on a fresh machine: one useradd wins,
  // the others fail (user exists, or /etc/passwd is locked) and wait to see the user.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string last_error;
  while (::getpwnam(kUnprivilegedUser) == nullptr) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("useradd " + std::string(kUnprivilegedUser) + " failed: " + last_error);
    }
    const auto result = run_process({system_tool("useradd"), "--system", "--no-create-home", "--shell",
                                     "/usr/sbin/nologin", kUnprivilegedUser});
    if (result.exit_code != 0) {
      last_error = result.err;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // another useradd holds the lock
    }
  }
}

std::vector<std::string> as_unprivileged_user(const std::vector<std::string>& argv) {
  if (!running_as_root()) return argv;
  std::vector<std::string> full = {system_tool("runuser"), "-u", kUnprivilegedUser, "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

void give_to_unprivileged_user(const std::string& path) {
  const passwd* user = ::getpwnam(kUnprivilegedUser);
  if (user == nullptr || ::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot give " + path + " to " + kUnprivilegedUser);
  }
}

}  // namespace aurite::testing
