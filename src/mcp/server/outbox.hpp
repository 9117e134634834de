// mcp/server/outbox — where the server's messages for one exchange go: stdout for
// stdio; for HTTP the answer to a POST (a JSON body or an SSE stream) or a session's
// GET stream.
#pragma once

#include <nlohmann/json.hpp>

namespace aurite::mcp::detail {

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Thread-safe: handlers on several threads send at once. Never throws for a peer
  // that went away; the message is then dropped.
  virtual void send(const nlohmann::json& message) = 0;
  // Ends the stream that carries this exchange before its answer, where the transport
  // can resume it (HTTP in a session, SEP-1699); what is sent afterwards waits for the
  // client to reconnect. Elsewhere nothing happens.
  virtual void close_stream() {}
};

}  // namespace aurite::mcp::detail
