// mcp/server/serve_main — what an MCP server program's main does with its transport
// flag: stdio by default, Streamable HTTP at /mcp with --http HOST:PORT.
#include <cstdio>
#include <string>

#include "aurite/mcp/http_server.hpp"

namespace aurite::mcp {
namespace {

// "HOST:PORT", "[v6]:PORT" or "PORT" (127.0.0.1).
McpHttpServer::Options endpoint_options(const std::string& text) {
  McpHttpServer::Options options;
  std::string port = text;
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    options.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (options.host.size() > 2 && options.host.front() == '[' && options.host.back() == ']') {
      options.host = options.host.substr(1, options.host.size() - 2);
    }
  }
  const bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (options.host.empty() || !digits || std::stoi(port) > 65535) {
    throw Error(ErrorCode::kInvalidArgument, "--http wants HOST:PORT (e.g. 127.0.0.1:8000), not '" + text + "'");
  }
  options.port = std::stoi(port);
  return options;
}

}  // namespace

int serve_stdio_or_http(McpServer& server, const std::string& program, const std::optional<std::string>& http_endpoint) {
  if (!http_endpoint) return server.run_stdio();
  try {
    const McpHttpServer::Options options = endpoint_options(*http_endpoint);
    McpHttpServer http(server, options);
    const int port = http.bind();
    const bool v6 = options.host.find(':') != std::string::npos;
    std::fprintf(stderr, "%s: serving MCP at http://%s%s%s:%d%s\n", program.c_str(), v6 ? "[" : "",
                 options.host.c_str(), v6 ? "]" : "", port, options.path.c_str());
    http.serve();
    return 0;
  } catch (const Error& error) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), error.what());
    return 2;
  }
}

}  // namespace aurite::mcp
