#include "common/listen_socket.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

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

}  // namespace aurite::detail
