// common/listen_socket — how our HTTP servers (the API, the MCP server library) set up
// their listening sockets, and why binding one failed. Plain POSIX, so any module can use it.
#pragma once

#include <functional>
#include <string>

namespace aurite::detail {

// SO_REUSEADDR (a restart need not wait out TIME_WAIT) and nothing else: no SO_REUSEPORT,
// so a port another process listens on stays its own. Has the shape of httplib's
// socket-options hook.
void reuse_address_only(int sock);

// Why listening on host:port fails: the errno of a bind tried the same way (EADDRINUSE
// when another process has it), or 0 when it would succeed or the host does not resolve.
int bind_errno(const std::string& host, int port);

// Runs `try_bind` (an HTTP server's bind: the port it got, or <= 0) and returns the port,
// or throws naming host:port: Error(kInvalidArgument) "address already in use: H:P" when
// another process has it, Error(kUnavailable) with the reason otherwise.
int bind_or_explain(const std::string& host, int port, const std::function<int()>& try_bind);

}  // namespace aurite::detail
