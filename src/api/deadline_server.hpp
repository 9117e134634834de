// An httplib::Server whose connections must deliver each request within one deadline.
//
// httplib applies its read timeout to each read call, so a client that sends a byte of its
// headers just before every timeout holds a worker for as long as it likes, and a few such
// clients hold them all (slowloris). Here the read timeout bounds the whole request (line,
// headers and body) from its first byte, and the request line and headers together may
// not exceed kMaxRequestHeadBytes: past either, the connection is closed and the worker
// freed.
// Everything else (routing, keep-alive, write timeouts) behaves as httplib's own server.
#pragma once

#include <httplib.h>

#include <cstddef>

namespace aurite::api::detail {

// Request line plus headers, in bytes: well above any client we serve, far below memory
// trouble (httplib bounds each line, not their number).
inline constexpr std::size_t kMaxRequestHeadBytes = 64 * 1024;

class DeadlineServer : public httplib::Server {
 private:
  bool process_and_close_socket(socket_t sock) override;
  // Whether a request starts on `sock` before the keep-alive timeout or the server stops.
  bool wait_for_request(socket_t sock) const;
};

}  // namespace aurite::api::detail
