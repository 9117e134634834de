// mcp/http_server — serves an McpServer over MCP's Streamable HTTP transport (revision
// 2025-11-25) at one path (default /mcp).
//
// Routing: the answer to a POSTed request goes back on that POST, as application/json
// when the answer is all there is, or as an SSE stream when the handler sends anything
// first (progress, log messages, requests to the client such as sampling or
// elicitation); the client's answers to those come back as POSTs (202). Messages not
// tied to a request (tools/list_changed, resources/updated) go on the session's GET
// stream. Sessions: initialize assigns a random Mcp-Session-Id; later requests without
// it get 400, with an unknown or expired one 404; DELETE ends a session.
//
// DNS rebinding: bound to a loopback address, the server refuses (403) a Host or Origin
// header that names anything but localhost, 127.0.0.1 or [::1]; bound elsewhere, an
// Origin outside `allowed_origins`. An unsupported MCP-Protocol-Version header gets 400.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aurite/mcp/server.hpp"

namespace aurite::mcp {

class McpHttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";  // loopback unless told otherwise
    int port = 0;                     // 0: any free port (bind() says which)
    std::string path = "/mcp";
    // A session no request has used for this long is forgotten (its id then gets 404).
    std::chrono::seconds session_idle_timeout{std::chrono::minutes(30)};
    // Origins (scheme://host[:port]) accepted besides the loopback ones.
    std::vector<std::string> allowed_origins;
    std::size_t max_body_bytes = 8u * 1024u * 1024u;
    // A server that wants OAuth tokens (an OAuth resource server): sees every request's
    // Authorization header (empty when there is none) and returns nullopt to let it in,
    // or the refusal to send: 401 or 403 with its WWW-Authenticate challenge.
    struct Refusal {
      int status = 401;
      std::string www_authenticate;
    };
    std::function<std::optional<Refusal>(const std::string& authorization)> check_token;
  };

  // `server` must outlive this object.
  McpHttpServer(McpServer& server, Options options);
  // Stops serving and ends the open streams.
  ~McpHttpServer();
  McpHttpServer(const McpHttpServer&) = delete;
  McpHttpServer& operator=(const McpHttpServer&) = delete;

  // Binds the listening socket and returns its port. Throws
  // Error(kInvalidArgument, "address already in use: HOST:PORT") when another process
  // has the port, Error(kUnavailable) for any other failure to listen.
  int bind();
  // Serves until stop(); call after bind().
  void serve();
  // Thread-safe; serve() returns soon after.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// For an MCP server program's main: with `http_endpoint` ("HOST:PORT", "[::1]:PORT" or
// "PORT" for 127.0.0.1) serves Streamable HTTP at /mcp until killed, otherwise stdio.
// Returns the exit status: 0, or 2 after printing "PROGRAM: <why>" to stderr for a bad
// endpoint or a port that cannot be bound ("address already in use: 127.0.0.1:PORT").
int serve_stdio_or_http(McpServer& server, const std::string& program, const std::optional<std::string>& http_endpoint);

}  // namespace aurite::mcp
