// The stdio transport: the server is our child; we write its stdin and read its stdout,
// and its stderr goes to the log and, its last lines, into the errors about it.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/child_process.hpp"
#include "mcp/line_reader.hpp"
#include "mcp/program_lookup.hpp"
#include "mcp/stderr_tail.hpp"

namespace aurite::mcp {
namespace {

using detail::ChildProcess;
using detail::Fd;
using detail::LineBuffer;

// Longest stderr line logged whole; longer ones are cut, never buffered without bound.
constexpr std::size_t kMaxLogLine = 64 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

// `${NAME}` references expand here, when the server starts, so the value is never part
// of the configuration that is stored, shown or exported.
std::string expanded(const config::ClientConfig& client, std::string_view field, const std::string& text) {
  return expand_env_references(text, "client '" + client.client_id + "' " + std::string(field));
}

detail::SpawnSpec spawn_spec(const config::ClientConfig& client, const std::filesystem::path& base_dir) {
  detail::SpawnSpec spec;
  if (client.server_path) {
    const auto path = config::resolve_path(base_dir, *client.server_path);
    if (path.extension() == ".py") spec.argv = {detail::resolve_command("python3"), path.string()};
    else spec.argv = {path.string()};
  } else if (client.command) {
    spec.argv = {detail::resolve_command(expanded(client, "command", *client.command))};
  } else {
    throw Error(ErrorCode::kInvalidConfig,
                "client '" + client.client_id + "' has neither server_path nor command");
  }
  for (std::size_t i = 0; i < client.args.size(); ++i) {
    spec.argv.push_back(expanded(client, "args[" + std::to_string(i) + "]", client.args[i]));
  }
  for (const auto& [name, value] : client.env) spec.env[name] = expanded(client, "env." + name, value);
  spec.inherit_env = client.inherit_env;
  if (!base_dir.empty()) spec.working_dir = base_dir;
  return spec;
}

class StdioTransport final : public Transport {
 public:
  StdioTransport(std::string client_id, std::chrono::milliseconds write_timeout, ChildProcess child)
      : client_id_(std::move(client_id)), write_timeout_(write_timeout), child_(std::move(child)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), out_(kMaxLineBytes), err_(kMaxLogLine) {
    if (!wake_.valid()) throw Error(ErrorCode::kUnavailable, std::string("eventfd: ") + std::strerror(errno));
    stdin_fd_ = child_.stdin_fd();
    if (::fcntl(stdin_fd_, F_SETFL, ::fcntl(stdin_fd_, F_GETFL) | O_NONBLOCK) != 0) {
      throw Error(ErrorCode::kUnavailable, std::string("fcntl: ") + std::strerror(errno));
    }
    stdout_fd_ = child_.stdout_fd();
    stderr_fd_ = child_.stderr_fd();
  }

  ~StdioTransport() override { close(); }

  void send_line(const std::string& line) override {
    std::lock_guard lock(write_mutex_);
    if (closed_) throw Error(ErrorCode::kUnavailable, "MCP client '" + client_id_ + "' is closed");
    // The deadline bounds a server that stops reading its input (a full pipe).
    const auto deadline = std::chrono::steady_clock::now() + write_timeout_;
    write_all(line.data(), line.size(), deadline);
    write_all("\n", 1, deadline);
  }

  std::optional<std::string> receive_line() override {
    while (true) {
      if (auto line = out_.pop()) {
        if (line->size() > kMaxLineBytes) throw too_long();
        return line;
      }
      if (out_.overflowed()) throw too_long();
      if (closed_ || stdout_eof_) {
        if (stdout_eof_ && !closed_) {
          std::string rest = out_.take_rest();
          if (!rest.empty()) return rest;
        }
        return std::nullopt;
      }
      wait_and_read();
    }
  }

  void close() override {
    if (closed_.exchange(true)) return;
    // Wake the reader and any writer waiting for room in the pipe...
    const uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write(wake_.get(), &one, sizeof one);
    // ...and wait for the writer to leave before stop() closes the fd it writes to.
    std::lock_guard write_lock(write_mutex_);
    std::lock_guard lock(process_mutex_);
    const int status = child_.stop();
    spdlog::debug("MCP client '{}': server stopped (status {})", client_id_, status);
  }

  std::string exit_description() override {
    std::lock_guard lock(process_mutex_);
    // The server closed stdout; give it a moment to finish exiting so we can say how.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    std::optional<int> status;
    while (!(status = child_.exit_status()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // What it wrote to stderr on its way out is the best clue to why it went.
    drain_stderr(deadline);
    if (!status) return "closed its output";
    if (*status > 128) return "was killed by signal " + std::to_string(*status - 128);
    return "exited with status " + std::to_string(*status);
  }

  std::string diagnostics() const override { return tail_.as_suffix(); }
  std::string_view name() const override { return "stdio"; }

 private:
  Error too_long() const {
    return Error(ErrorCode::kProtocol, "MCP client '" + client_id_ + "': the server sent a line longer than " +
                                           std::to_string(kMaxLineBytes) + " bytes");
  }

  // Writes everything, waiting for room in the pipe until `deadline`; stdin is
  // non-blocking so a wait can be cut short by close().
  void write_all(const char* data, std::size_t size, std::chrono::steady_clock::time_point deadline) {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(stdin_fd_, data + done, size - done);
      if (n >= 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        throw Error(ErrorCode::kUnavailable,
                    "MCP client '" + client_id_ + "': cannot write to the server: " + std::strerror(errno));
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        throw Error(ErrorCode::kTimeout, "MCP client '" + client_id_ + "': the server stopped reading its input");
      }
      pollfd fds[2] = {{stdin_fd_, POLLOUT, 0}, {wake_.get(), POLLIN, 0}};
      if (::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000))) > 0 && fds[1].revents != 0) {
        throw Error(ErrorCode::kUnavailable, "MCP client '" + client_id_ + "' is closed");
      }
    }
  }

  // Waits for output on stdout or stderr (or a wake-up from close()) and reads it.
  void wait_and_read() {
    pollfd fds[3] = {{stdout_fd_, POLLIN, 0}, {stderr_eof_ ? -1 : stderr_fd_, POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) return;
      throw Error(ErrorCode::kUnavailable, std::string("poll: ") + std::strerror(errno));
    }
    if (fds[2].revents != 0) return;  // closed_ is set; the loop returns
    if (fds[1].revents != 0) read_stderr();
    if (fds[0].revents != 0) {
      char chunk[kReadChunk];
      const ssize_t got = ::read(stdout_fd_, chunk, sizeof chunk);
      if (got > 0) out_.append(chunk, static_cast<std::size_t>(got));
      else if (got == 0 || errno != EINTR) stdout_eof_ = true;
    }
  }

  // Reads the rest of stderr until its end, or `deadline` (a process the server started
  // may hold it open). Reader thread only.
  void drain_stderr(std::chrono::steady_clock::time_point deadline) {
    while (!stderr_eof_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd fd = {stderr_fd_, POLLIN, 0};
      const int ready = ::poll(&fd, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return;
      read_stderr();
    }
  }

  void read_stderr() {
    char chunk[kReadChunk];
    const ssize_t got = ::read(stderr_fd_, chunk, sizeof chunk);
    if (got <= 0) {
      if (got == 0 || errno != EINTR) stderr_eof_ = true;
      if (std::string rest = err_.take_rest(); !rest.empty()) log_stderr(rest);
      return;
    }
    err_.append(chunk, static_cast<std::size_t>(got));
    while (auto line = err_.pop()) log_stderr(*line);
    if (err_.overflowed()) log_stderr(err_.take_rest() + " [cut]");
  }

  void log_stderr(const std::string& line) {
    spdlog::debug("[{}] {}", client_id_, line.size() > kMaxLogLine ? line.substr(0, kMaxLogLine) + " [cut]" : line);
    tail_.add(line);
  }

  const std::string client_id_;
  const std::chrono::milliseconds write_timeout_;
  std::mutex process_mutex_;  // guards child_ (stop and reap)
  ChildProcess child_;
  Fd wake_;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::mutex write_mutex_;  // one writer at a time; stop() waits for it
  std::atomic<bool> closed_{false};
  // Reader-thread state.
  LineBuffer out_;
  LineBuffer err_;
  bool stdout_eof_ = false;
  bool stderr_eof_ = false;
  detail::StderrTail tail_;  // written by the reader thread, read by any
};

}  // namespace

std::unique_ptr<Transport> start_stdio_transport(const config::ClientConfig& client,
                                                 const std::filesystem::path& base_dir) {
  try {
    const detail::SpawnSpec spec = spawn_spec(client, base_dir);
    const double seconds = client.timeout.value_or(config::kDefaultClientTimeoutSeconds);
    const auto write_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
    return std::make_unique<StdioTransport>(client.client_id, write_timeout, ChildProcess::spawn(spec));
  } catch (const Error& error) {
    throw Error(error.code(), "MCP client '" + client.client_id + "': " + error.what());
  }
}

std::unique_ptr<Transport> start_transport(const config::ClientConfig& client, const std::filesystem::path& base_dir) {
  return client.url ? start_http_transport(client, base_dir) : start_stdio_transport(client, base_dir);
}

}  // namespace aurite::mcp
