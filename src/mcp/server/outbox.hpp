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
};

}  // namespace aurite::mcp::detail
