#include "api/deadline_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

namespace aurite::api::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Waits up to `timeout` for `events` on `sock`; true when they came (or the peer hung up,
// which the next read or write reports).
bool poll_for(socket_t sock, short events, std::chrono::milliseconds timeout) {
  pollfd entry{sock, events, 0};
  for (;;) {
    const int ready = ::poll(&entry, 1, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0)));
    if (ready >= 0) return ready > 0;
    if (errno != EINTR) return false;
  }
}

void address_of(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

// The connection's stream: buffered reads that share one deadline per request (arm()
// starts it) and a bound on the request head, writes bounded per call by the write
// timeout. The body is httplib's to bound (413 past the payload limit, its Content-Length
// skipped within the deadline).
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, std::chrono::milliseconds write_timeout) : sock_(sock), write_timeout_(write_timeout) {}

  void arm(std::chrono::milliseconds read_deadline) {
    deadline_ = Clock::now() + read_deadline;
    head_bytes_ = 0;
    line_length_ = 0;
    head_done_ = false;
  }
  bool has_buffered() const { return offset_ < size_; }

  bool is_readable() const override { return has_buffered() || poll_for(sock_, POLLIN, remaining()); }
  bool is_writable() const override { return poll_for(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      if (!poll_for(sock_, POLLIN, remaining())) return -1;
      const ssize_t n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
      if (n <= 0) return n;
      offset_ = 0;
      size_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, size_ - offset_);
    if (!head_done_ && !count_head(buffer_.data() + offset_, n)) return -1;
    std::memcpy(ptr, buffer_.data() + offset_, n);
    offset_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) address_of(address, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) address_of(address, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  // Follows the request head up to its empty line; false once it passes
  // kMaxRequestHeadBytes without one.
  bool count_head(const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n && !head_done_; ++i) {
      if (++head_bytes_ > kMaxRequestHeadBytes) return false;
      if (data[i] == '\n') {
        head_done_ = line_length_ == 0;
        line_length_ = 0;
      } else if (data[i] != '\r') {
        ++line_length_;
      }
    }
    return true;
  }

  std::chrono::milliseconds remaining() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
  }

  socket_t sock_;
  std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_ = Clock::now();
  std::size_t head_bytes_ = 0;
  std::size_t line_length_ = 0;
  bool head_done_ = false;
  std::array<char, 4096> buffer_{};
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
};

std::chrono::milliseconds to_ms(time_t sec, time_t usec) {
  return std::chrono::milliseconds(sec * 1000 + usec / 1000);
}

}  // namespace

bool DeadlineServer::wait_for_request(socket_t sock) const {
  // In short slices, so a stopping server does not wait for idle connections.
  const auto deadline = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (poll_for(sock, POLLIN, std::min(left, std::chrono::milliseconds(100)))) return true;
  }
  return false;
}

bool DeadlineServer::process_and_close_socket(socket_t sock) {
  DeadlineStream stream(sock, to_ms(write_timeout_sec_, write_timeout_usec_));
  const auto read_deadline = to_ms(read_timeout_sec_, read_timeout_usec_);
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    if (!stream.has_buffered() && !wait_for_request(sock)) break;
    stream.arm(read_deadline);
    bool connection_closed = false;
    ok = process_request(stream, left == 1, connection_closed, nullptr);
    if (!ok || connection_closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace aurite::api::detail
