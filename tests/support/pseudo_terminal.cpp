#include "support/pseudo_terminal.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace aurite::testing {

PseudoTerminal::PseudoTerminal(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                               const std::string& working_dir) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
  if (pid_ < 0) throw std::runtime_error(std::string("forkpty failed: ") + std::strerror(errno));
  if (pid_ == 0) {
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

PseudoTerminal::~PseudoTerminal() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (master_ >= 0) ::close(master_);
}

bool PseudoTerminal::read_some(std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  pollfd fd{master_, POLLIN, 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
  if (ready <= 0) return ready == 0 || errno == EINTR;
  char buffer[4096];
  const ssize_t got = ::read(master_, buffer, sizeof buffer);
  if (got <= 0) return false;  // EIO: every end of the terminal closed, the program ended
  output_.append(buffer, static_cast<std::size_t>(got));
  return true;
}

bool PseudoTerminal::read_until(const std::string& text, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto found = output_.find(text, searched_from_);
    if (found != std::string::npos) {
      searched_from_ = found + text.size();
      return true;
    }
    if (std::chrono::steady_clock::now() >= until || !read_some(until)) return false;
  }
}

void PseudoTerminal::type(const std::string& line) {
  const std::string typed = line + "\r";
  if (::write(master_, typed.data(), typed.size()) != static_cast<ssize_t>(typed.size())) {
    throw std::runtime_error(std::string("cannot type into the terminal: ") + std::strerror(errno));
  }
}

int PseudoTerminal::wait(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      while (read_some(std::chrono::steady_clock::now())) {
      }
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (!read_some(std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)))) {
      // End of output: the program is ending; waitpid above sees it next.
      int ended = 0;
      if (::waitpid(pid_, &ended, 0) == pid_) {
        pid_ = -1;
        return WIFEXITED(ended) ? WEXITSTATUS(ended) : 128 + WTERMSIG(ended);
      }
    }
  }
  return -1;
}

}  // namespace aurite::testing
