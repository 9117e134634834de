// Fuzz target: a Server-Sent Events stream as an LLM provider sends it
// (net::SseParser), fed whole and fed in arbitrary network-sized pieces.
//
// Properties beyond "no crash":
// - the events do not depend on how the stream was cut: CRLF, CR and LF line ends, a
//   BOM or a field name split between two reads give the same events as one read;
// - no exception escapes for a stream whose lines fit the cap;
// - every event has a name ("message" when the stream names none).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aurite/net/sse_parser.hpp"
#include "fuzz_support.hpp"

namespace {

using aurite::net::SseEvent;
using aurite::net::SseParser;

struct Seen {
  std::string event;
  std::string data;
  std::string id;
  bool operator==(const Seen&) const = default;
};

template <typename Feed>
std::vector<Seen> parse(Feed feed) {
  std::vector<Seen> events;
  SseParser parser([&events](const SseEvent& event) {
    if (event.event.empty()) aurite::fuzz::fail("an event without a name");
    events.push_back({event.event, event.data, event.id});
  });
  feed(parser);
  parser.finish();
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  // The first four bytes choose the cuts; the rest is the stream.
  const std::uint32_t seed = data[0] | (data[1] << 8) | (data[2] << 16) | (std::uint32_t{data[3]} << 24);
  const std::string_view stream(reinterpret_cast<const char*>(data + 4), size - 4);

  const auto whole = parse([&](SseParser& parser) { parser.feed(stream); });
  const auto bytewise = parse([&](SseParser& parser) {
    for (std::size_t i = 0; i < stream.size(); ++i) parser.feed(stream.substr(i, 1));
  });
  if (bytewise != whole) aurite::fuzz::fail("one byte at a time gives other events than one read");
  const auto pieces = parse([&](SseParser& parser) {
    aurite::fuzz::ChunkSplitter splitter(stream, seed);
    while (!splitter.done()) parser.feed(splitter.next());
  });
  if (pieces != whole) aurite::fuzz::fail("split reads give other events than one read");
  return 0;
}
