#include "aurite/net/sse_parser.hpp"

#include <gtest/gtest.h>

#include "aurite/common/error.hpp"

namespace aurite::net {
namespace {

std::vector<SseEvent> parse_in_chunks(const std::string& stream, std::size_t chunk_size) {
  std::vector<SseEvent> events;
  SseParser parser([&events](const SseEvent& e) { events.push_back(e); });
  for (std::size_t at = 0; at < stream.size(); at += chunk_size) parser.feed(stream.substr(at, chunk_size));
  parser.finish();
  return events;
}

TEST(SseParser, SameEventsWhateverTheChunking) {
  const std::string stream =
      "\xEF\xBB\xBF: keep-alive comment\r\n"
      "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
      "data: line one\ndata: line two\n\n"
      "event: ping\rdata:no-space\r\r"
      "id: 7\ndata: last";  // no trailing blank line: dispatched by finish()
  for (std::size_t size : {1u, 2u, 3u, 5u, 7u, 1000u}) {
    const auto events = parse_in_chunks(stream, size);
    ASSERT_EQ(events.size(), 4u) << "chunk size " << size;
    EXPECT_EQ(events[0].event, "message_start");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].event, "message");
    EXPECT_EQ(events[1].data, "line one\nline two");
    EXPECT_EQ(events[2].event, "ping");
    EXPECT_EQ(events[2].data, "no-space");
    EXPECT_EQ(events[3].id, "7");
    EXPECT_EQ(events[3].data, "last");
  }
}

// Found by fuzzing: a CR ending one chunk (alone, or with its LF already read) used to
// swallow an LF that began a later line, so a blank line (the end of an event) went missing.
TEST(SseParser, ALoneCrAtTheEndOfAChunkLeavesLaterLineEndsAlone) {
  // Also: a CRLF whose LF ends one chunk, then a blank line at the start of the next.
  const std::string stream = "data: a\rdata: b\n\ndata: c\r\n\n";
  for (std::size_t size : {1u, 2u, 3u, 8u, 1000u}) {
    const auto events = parse_in_chunks(stream, size);
    ASSERT_EQ(events.size(), 2u) << "chunk size " << size;
    EXPECT_EQ(events[0].data, "a\nb") << "chunk size " << size;
    EXPECT_EQ(events[1].data, "c") << "chunk size " << size;
  }
}

// The parser remembers how far a pending line was scanned; a line much longer than the
// chunks, with its CRLF cut between two chunks, is still one event.
TEST(SseParser, ALongLineInSmallChunksIsOneEvent) {
  const std::string payload(64 * 1024 - 1, 'x');
  const std::string stream = "data: " + payload + "\r\n\r\ndata: next\n\n";
  for (const std::size_t chunk : {std::size_t{7}, std::size_t{1024}, payload.size() + 7}) {
    const auto events = parse_in_chunks(stream, chunk);
    ASSERT_EQ(events.size(), 2u) << "chunks of " << chunk;
    EXPECT_EQ(events[0].data, payload);
    EXPECT_EQ(events[1].data, "next");
  }
}

TEST(SseParser, EventWithoutDataIsNotDispatched) {
  EXPECT_TRUE(parse_in_chunks("event: nothing\n\n", 4).empty());
}

// What a client resuming a stream needs (MCP Streamable HTTP): the last id, even from
// an event without data (a server primes its stream so), and the retry delay.
TEST(SseParser, RemembersTheLastEventIdAndTheRetryDelay) {
  std::vector<SseEvent> events;
  SseParser parser([&events](const SseEvent& e) { events.push_back(e); });
  EXPECT_EQ(parser.last_event_id(), "");
  EXPECT_FALSE(parser.retry().has_value());
  parser.feed("id: prime-1\nretry: 250\ndata:\n\n");
  EXPECT_EQ(parser.last_event_id(), "prime-1");
  ASSERT_TRUE(parser.retry().has_value());
  EXPECT_EQ(parser.retry()->count(), 250);
  parser.feed("retry: soon\nid: 2\ndata: {}\n\ndata: x\n\n");
  EXPECT_EQ(parser.retry()->count(), 250) << "a retry that is not a number is ignored";
  EXPECT_EQ(parser.last_event_id(), "2") << "an id lasts until the next one";
  ASSERT_EQ(events.size(), 2u) << "an event with empty data is not dispatched";
  EXPECT_EQ(events[0].data, "{}");
  EXPECT_EQ(events[1].id, "2");
}

TEST(SseParser, OverlongLineIsAProtocolError) {
  SseParser parser([](const SseEvent&) {}, 64);
  try {
    parser.feed("data: " + std::string(100, 'x'));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kProtocol);
  }
}

}  // namespace
}  // namespace aurite::net
