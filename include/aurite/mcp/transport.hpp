// mcp/transport — how JSON-RPC messages reach an MCP server: one line per message.
//
// The session above speaks JSON-RPC and knows nothing of processes or HTTP; a Transport
// moves whole messages, each one line of JSON. The stdio implementation owns the server
// process; the Streamable HTTP one (a `url` client) POSTs each message and reads the
// answers from the HTTP responses and event streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aurite/common/error.hpp"
#include "aurite/config/models.hpp"

namespace aurite::mcp {

namespace auth {
class Authorizer;
}

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

  // A transport that carries each message on its own (HTTP) reports a request it could
  // not deliver, or whose answer it could not read, to `handler` (id, error naming the
  // client and the URL) instead of ending the conversation: that request fails, the
  // others go on. Its send_line() returns once a request is on its way, so the caller's
  // wait keeps its own timeout. Set by the session before its first message; stdio never
  // calls it (a failure of a pipe is the end of the server).
  using RequestFailure = std::function<void(std::int64_t id, const Error& error)>;
  virtual void on_request_failed(RequestFailure handler) { (void)handler; }

  // "stdio" or "http", for people reading `aurite tools`.
  virtual std::string_view name() const = 0;
};

// Starts what `client` asks for: start_http_transport for a url, else start_stdio_transport.
std::unique_ptr<Transport> start_transport(const config::ClientConfig& client, const std::filesystem::path& base_dir);

// Starts the server `client` describes: server_path (a `.py` runs with python3, anything
// else is executed; relative to base_dir) or command (searched in PATH) + args; `env`
// on top of our environment; working directory `base_dir`. The server's stderr goes to
// the log at debug level, prefixed with the client id, its last lines to diagnostics().
// Throws Error(kUnavailable) naming the client when the program cannot be started.
std::unique_ptr<Transport> start_stdio_transport(const config::ClientConfig& client,
                                                 const std::filesystem::path& base_dir);

// Connects to the Streamable HTTP server at `client.url` (revisions 2025-03-26 to
// 2025-11-25): each message is POSTed; answers come as JSON or as an event stream (cut
// streams are resumed with Last-Event-ID after the server's retry delay); the session id
// the server assigns is kept, sent, and ended with DELETE on close(); a 404 for a stale
// session starts a new one transparently; the optional GET stream brings the server's own
// requests. `headers` go with every request, `${NAME}` in them expanded now (an unset
// variable is Error(kInvalidConfig) naming client, header and variable); their values
// never appear in logs or errors. `ca_file` is relative to `base_dir`. Connection, TLS
// and HTTP failures of a request are errors of that request naming client and URL.
// With an `authorizer` (mcp/auth.hpp), every request carries its token, and a request
// refused with 401 or 403 goes again once the authorizer has a better one.
std::unique_ptr<Transport> start_http_transport(const config::ClientConfig& client,
                                                const std::filesystem::path& base_dir,
                                                std::shared_ptr<auth::Authorizer> authorizer = nullptr);

}  // namespace aurite::mcp
