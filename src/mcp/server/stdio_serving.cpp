// mcp/server/stdio_serving — the server library on a pair of streams: one JSON-RPC
// message per line, one client, every message (answers and the rest) on the output.
#include <iostream>
#include <mutex>
#include <string>

#include "aurite/mcp/server.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/server/server_session.hpp"

namespace aurite::mcp {
namespace {

class StreamOutbox final : public detail::Outbox {
 public:
  explicit StreamOutbox(std::ostream& out) : out_(out) {}
  void send(const Json& message) override {
    const std::string text = message.dump();
    std::lock_guard lock(mutex_);
    out_ << text << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
  std::mutex mutex_;  // one message at a time on the output
};

// std::getline with a cap: a line longer than kMaxLineBytes is skipped to its end and
// reported through `too_long`, instead of growing without bound. False at end of input.
bool read_line(std::istream& in, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  auto* buffer = in.rdbuf();
  bool any = false;
  for (int c = buffer->sbumpc(); c != std::char_traits<char>::eof(); c = buffer->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < kMaxLineBytes) line.push_back(static_cast<char>(c));
    else too_long = true;
  }
  return any;
}

}  // namespace

int McpServer::run_stdio() {
  std::ios::sync_with_stdio(false);
  return run(std::cin, std::cout);
}

int McpServer::run(std::istream& in, std::ostream& out) {
  const auto outbox = std::make_shared<StreamOutbox>(out);
  const auto session = std::make_shared<detail::ServerSession>(outbox);
  attach(session);
  std::string line;
  bool too_long = false;
  while (read_line(in, line, too_long)) {
    if (too_long) {
      outbox->send(jsonrpc::make_error(nullptr, jsonrpc::kInvalidRequest,
                                       "message longer than " + std::to_string(kMaxLineBytes) + " bytes"));
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      outbox->send(jsonrpc::make_error(nullptr, jsonrpc::kParseError, "not JSON"));
      continue;
    }
    handle(session, message, outbox);
  }
  join_workers();
  detach(session);
  return 0;
}

}  // namespace aurite::mcp
