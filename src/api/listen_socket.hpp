// How the API's listening socket is set up, and why binding it failed.
#pragma once

#include <httplib.h>

#include <string>

namespace aurite::api::detail {

// SO_REUSEADDR (a restart need not wait out TIME_WAIT) and nothing else: no SO_REUSEPORT,
// so a port another process listens on stays its own.
void reuse_address_only(socket_t sock);

// Why listening on host:port fails: the errno of a bind tried the same way (EADDRINUSE
// when another process has it), or 0 when it would succeed or the host does not resolve.
int bind_errno(const std::string& host, int port);

}  // namespace aurite::api::detail
