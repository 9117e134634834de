// mcp/transport — how JSON-RPC messages reach an MCP server: one line per message.
//
// The session above speaks JSON-RPC and knows nothing of processes; a Transport moves
// whole lines. The stdio implementation owns the server process.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "aurite/config/models.hpp"

namespace aurite::mcp {

// The longest line we accept from a server. Longer is a protocol error, not memory
// growth without bound (the npm SDK itself closes the connection past 10 MiB).
inline constexpr std::size_t kMaxLineBytes = 16u * 1024u * 1024u;

// Thread-safety: send_line() may be called from several threads at once (lines are
// never interleaved); receive_line() from one reader thread; close() from any thread,
// at any time, and it wakes a blocked receive_line().
class Transport {
 public:
  virtual ~Transport() = default;

  // Writes `line` plus '\n'. `line` must not contain a newline. Throws
  // Error(kUnavailable) when the peer is gone or close() was called, Error(kTimeout)
  // when the peer stops reading for longer than its timeout.
  virtual void send_line(const std::string& line) = 0;

  // Blocks for the next line (without its '\n'). nullopt when the peer closed its end
  // or close() was called. Throws Error(kProtocol) for a line over kMaxLineBytes.
  virtual std::optional<std::string> receive_line() = 0;

  // Ends the conversation and releases the peer (for stdio: stops the process). Idempotent.
  virtual void close() = 0;

  // Why the peer is gone, for error messages ("exited with status 3"); empty while alive.
  // Called by the reader once receive_line() returned nullopt.
  virtual std::string exit_description() = 0;

  // What the peer said about itself lately, to end an error message with (stdio: "; its
  // last stderr lines:\n  ..." from the server's own stderr, bounded); empty when it said
  // nothing. Never holds anything of ours (environment, configuration). Any thread.
  virtual std::string diagnostics() const { return {}; }
};

// Starts the server `client` describes: server_path (a `.py` runs with python3, anything
// else is executed; relative to base_dir) or command (searched in PATH) + args; `env`
// on top of our environment; working directory `base_dir`. The server's stderr goes to
// the log at debug level, prefixed with the client id, its last lines to diagnostics().
// Throws Error(kUnavailable) naming the client when the program cannot be started.
std::unique_ptr<Transport> start_stdio_transport(const config::ClientConfig& client,
                                                 const std::filesystem::path& base_dir);

}  // namespace aurite::mcp
