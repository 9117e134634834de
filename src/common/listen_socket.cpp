#include "common/listen_socket.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "aurite/common/error.hpp"

namespace aurite::detail {

void reuse_address_only(int sock) {
  const int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

int bind_errno(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return 0;
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  int reason = 0;
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int sock = ::socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (sock < 0) {
      reason = errno;
      continue;
    }
    reuse_address_only(sock);
    const bool bound = ::bind(sock, address->ai_addr, address->ai_addrlen) == 0;
    reason = bound ? 0 : errno;
    ::close(sock);
    if (bound) return 0;
  }
  return reason;
}

int bind_or_explain(const std::string& host, int port, const std::function<int()>& try_bind) {
  const int bound = try_bind();
  if (bound > 0) return bound;
  const int reason = bind_errno(host, port);
  if (reason == EADDRINUSE) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("address already in use: {}:{}", host, port));
  }
  throw Error(ErrorCode::kUnavailable, fmt::format("cannot listen on {}:{}{}", host, port,
                                                   reason != 0 ? std::string(": ") + std::strerror(reason) : ""));
}

}  // namespace aurite::detail
