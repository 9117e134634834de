// Fuzz target: what an MCP server writes on its stdout, as the client reads it: bytes cut
// into lines (mcp::detail::LineBuffer) and each line read as a JSON-RPC 2.0 message
// (mcp::jsonrpc).
//
// Properties beyond "no crash":
// - the lines do not depend on how the pipe cut the bytes: any split gives the lines of
//   splitting the whole input on '\n' (one trailing '\r' dropped, the rest after EOF);
// - reading a message never throws: classify, integer_id and error_from_response take
//   whatever a server sends (a throw here would end the session as an internal error);
// - a request's reply echoes its id exactly, and error_from_response's message is
//   valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/line_reader.hpp"

namespace {

namespace jsonrpc = aurite::mcp::jsonrpc;
using jsonrpc::Json;

std::vector<std::string> reference_lines(std::string_view input) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto newline = input.find('\n'); newline != std::string_view::npos; newline = input.find('\n', start)) {
    std::string_view line = input.substr(start, newline - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = newline + 1;
  }
  if (start < input.size()) lines.emplace_back(input.substr(start));
  return lines;
}

std::vector<std::string> buffered_lines(std::string_view input, std::uint32_t seed) {
  aurite::mcp::detail::LineBuffer buffer(1 << 20);
  std::vector<std::string> lines;
  aurite::fuzz::ChunkSplitter splitter(input, seed);
  while (!splitter.done()) {
    const std::string_view piece = splitter.next();
    buffer.append(piece.data(), piece.size());
    while (auto line = buffer.pop()) lines.push_back(std::move(*line));
  }
  if (std::string rest = buffer.take_rest(); !rest.empty()) lines.push_back(std::move(rest));
  return lines;
}

void read_message(const std::string& line) {
  if (line.find_first_not_of(" \t") == std::string::npos) return;
  Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return;  // the session reports it as Error(kProtocol)
  switch (jsonrpc::classify(message)) {
    case jsonrpc::Kind::kResponse: {
      const auto id = jsonrpc::integer_id(message["id"]);
      if (id && message["id"].is_number_integer() && message["id"].get<std::int64_t>() != *id) {
        aurite::fuzz::fail("integer_id changed a numeric id: " + message["id"].dump());
      }
      if (message.contains("error")) {
        const aurite::Error error = jsonrpc::error_from_response("fuzz", "tools/call", message["error"]);
        aurite::fuzz::check_message("error_from_response", error.what());
      }
      return;
    }
    case jsonrpc::Kind::kRequest: {
      const std::string method = message["method"].get<std::string>();
      const Json reply = Json::parse(jsonrpc::make_error(message["id"], jsonrpc::kMethodNotFound,
                                                         "method not supported: " + method).dump());
      if (reply["id"] != message["id"]) aurite::fuzz::fail("a reply does not echo the id " + message["id"].dump());
      if (jsonrpc::classify(reply) != jsonrpc::Kind::kResponse) aurite::fuzz::fail("our reply is not a response");
      return;
    }
    case jsonrpc::Kind::kNotification:
      (void)message["method"].get<std::string>();
      return;
    case jsonrpc::Kind::kInvalid:
      return;
  }
}

std::uint32_t seed_of(std::string_view input) {
  std::uint32_t hash = 2166136261U;
  for (const char c : input) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
  return hash;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> expected = reference_lines(input);
  const std::uint32_t seed = seed_of(input);
  for (std::uint32_t round = 0; round < 3; ++round) {
    if (buffered_lines(input, seed + round) != expected) {
      aurite::fuzz::fail("the lines depend on how the input was cut (split seed " + std::to_string(seed + round) + ")");
    }
  }
  for (const std::string& line : expected) read_message(line);
  return 0;
}
