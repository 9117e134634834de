// History analysis and turn paging over the API on both backends: search, stats, the
// JSON Lines export (streamed, and read back by the importer), keyset pages while the
// session grows, and the error shapes of each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "api/serve_backend_test.hpp"
#include "aurite/storage/history_transfer.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kAnalysedAgent = "Weather Agent";

class ApiHistoryAnalysis : public ServeBackendTest {
 protected:
  static void run(const ServeProcess& server, const std::string& message, const std::string& session) {
    const auto result =
        server.post("/runs", {{"name", kAnalysedAgent}, {"message", message}, {"session_id", session}});
    ASSERT_TRUE(result && result->status == 200)
        << (result ? result->body : httplib::to_string(result.error()));
  }

  static std::string turns_path(const std::string& agent, const std::string& session) {
    return "/sessions/" + segment(agent) + "/" + segment(session) + "/turns";
  }

  // What the store holds, as the exporter writes it.
  std::string stored_jsonl(const storage::TurnFilter& filter = {}) const {
    auto db = open();
    std::ostringstream out;
    storage::export_jsonl(*db->history_admin(), out, filter);
    return out.str();
  }
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiHistoryAnalysis);

std::vector<json> lines_of(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    try {
      lines.push_back(json::parse(line));
    } catch (const json::parse_error&) {
      ADD_FAILURE() << "not a JSON line: " << line;
    }
  }
  return lines;
}

// The one row of `rows` for `agent` (null, failing the test, when there is not exactly one).
json row_of(const json& rows, const std::string& agent) {
  json found = nullptr;
  int count = 0;
  for (const auto& row : rows) {
    if (row["agent"] == agent) {
      found = row;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << agent << " in " << rows;
  return found;
}

TEST_P(ApiHistoryAnalysis, SearchFindsTurnsNewestFirstInTheCliShape) {
  ServeProcess server(env());
  run(server, "zebra crossing in Lisbon", "s1");
  run(server, "a quiet zebra", "s2");
  run(server, "nothing striped", "s3");

  const json found = json_of(server.get("/history/search?q=zebra"));
  ASSERT_EQ(found["turns"].size(), 2u) << found;
  const json& newest = found["turns"][0];
  EXPECT_EQ(newest["agent"], kAnalysedAgent);
  EXPECT_EQ(newest["session"], "s2");
  EXPECT_EQ(newest["seq"], 1);
  EXPECT_EQ(newest["role"], "user");
  EXPECT_TRUE(newest.contains("content") && newest.contains("created_at")) << newest;
  EXPECT_EQ(found["turns"][1]["session"], "s1");

  EXPECT_EQ(json_of(server.get("/history/search?q=ZEBRA%20lisbon"))["turns"].size(),
            1u);  // every word, any case
  EXPECT_EQ(json_of(server.get("/history/search?q=zebra&limit=1"))["turns"].size(), 1u);
  EXPECT_EQ(json_of(server.get("/history/search?q=zebra&agent=" + segment(kAnalysedAgent)))["turns"].size(), 2u);
  EXPECT_TRUE(json_of(server.get("/history/search?q=zebra&agent=Nobody"))["turns"].empty());
  EXPECT_TRUE(json_of(server.get("/history/search?q=giraffe"))["turns"].empty());

  EXPECT_THAT(
      expect_error(server.get("/history/search"), 400, "invalid_argument")["message"].get<std::string>(),
      HasSubstr("'q'"));
  EXPECT_THAT(
      expect_error(server.get("/history/search?q="), 400, "invalid_argument")["message"].get<std::string>(),
      HasSubstr("'q'"));
  EXPECT_THAT(expect_error(server.get("/history/search?q=zebra&limit=0"), 400, "invalid_argument")["message"]
                  .get<std::string>(),
              HasSubstr("'limit'"));
  EXPECT_THAT(expect_error(server.get("/history/search?q=zebra&limit=x"), 400, "invalid_argument")["message"]
                  .get<std::string>(),
              HasSubstr("'limit'"));
  EXPECT_THAT(expect_error(server.get("/history/search?q=zebra&agent="), 400, "invalid_argument")["message"]
                  .get<std::string>(),
              HasSubstr("'agent'"));
}

// The turn counts of a stats row, without its usage.
json counts_of(const json& row) {
  json out = json::object();
  for (const char* key : {"agent", "turns", "sessions", "tool_calls"}) out[key] = row.at(key);
  return out;
}

TEST_P(ApiHistoryAnalysis, StatsCountPerAgentAndPerDay) {
  {
    auto db = open();
    auto& history = *db->history();
    history.append_turn("other", "o1", "user", json("hi").dump());
  }
  ServeProcess server(env());
  run(server, "one", "s1");
  run(server, "two", "s1");
  run(server, "three", "s2");

  const json stats = json_of(server.get("/history/stats"));
  ASSERT_EQ(stats["per_agent"].size(), 2u) << stats;
  const json analysed = row_of(stats["per_agent"], kAnalysedAgent);
  EXPECT_EQ(counts_of(analysed), json({{"agent", kAnalysedAgent}, {"turns", 12}, {"sessions", 2}, {"tool_calls", 3}}));
  // Three runs of two model calls each (a tool call, then the answer), none priced.
  EXPECT_EQ(analysed["model_calls"], 6) << analysed;
  EXPECT_EQ(analysed["unpriced_calls"], 6);
  EXPECT_GT(analysed["input_tokens"].get<std::int64_t>(), 0);
  EXPECT_GT(analysed["output_tokens"].get<std::int64_t>(), 0);
  EXPECT_TRUE(analysed.contains("p50_model_ms") && analysed.contains("p95_model_ms")) << analysed;
  const json other = row_of(stats["per_agent"], "other");
  EXPECT_EQ(counts_of(other), json({{"agent", "other"}, {"turns", 1}, {"sessions", 1}, {"tool_calls", 0}}));
  EXPECT_EQ(other["model_calls"], 0);
  EXPECT_FALSE(other.contains("p50_model_ms")) << other;
  ASSERT_EQ(stats["per_model"].size(), 1u) << stats;
  EXPECT_EQ(stats["per_model"][0]["provider"], "test");
  EXPECT_EQ(stats["per_model"][0]["model_calls"], 6);
  ASSERT_EQ(stats["per_day"].size(), 2u) << stats;
  const json day = row_of(stats["per_day"], kAnalysedAgent);
  EXPECT_THAT(day["day"].get<std::string>(), ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}"));
  EXPECT_EQ(day["turns"], 12);
  EXPECT_EQ(day["sessions"], 2);
  EXPECT_EQ(day["tool_calls"], 3);

  const json one = json_of(server.get("/history/stats?agent=other"));
  ASSERT_EQ(one["per_agent"].size(), 1u) << one;
  EXPECT_EQ(one["per_agent"][0]["agent"], "other");
  EXPECT_EQ(one["per_day"].size(), 1u);
  const json none = json_of(server.get("/history/stats?agent=Nobody"));
  EXPECT_TRUE(none["per_agent"].empty() && none["per_day"].empty()) << none;
  EXPECT_THAT(expect_error(server.get("/history/stats?agent="), 400, "invalid_argument")["message"]
                  .get<std::string>(),
              HasSubstr("'agent'"));
}

TEST_P(ApiHistoryAnalysis, ExportStreamsJsonLinesThatImportBack) {
  ServeProcess server(env());
  run(server, "first", "s1");
  run(server, "second", "s2");
  {
    auto db = open();
    db->history()->append_turn("zeta", "o1", "user",
                               json::array({{{"type", "text"}, {"text", "ünïcode \"quoted\""}}}).dump());
  }

  const auto all = server.get("/history/export");
  ASSERT_TRUE(all) << httplib::to_string(all.error());
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(all->get_header_value("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(all->get_header_value("Transfer-Encoding"), "chunked");
  const auto lines = lines_of(all->body);
  ASSERT_EQ(lines.size(), 9u) << all->body;
  EXPECT_EQ(lines[0], json::parse(all->body.substr(0, all->body.find('\n'))));
  EXPECT_EQ(lines[0]["agent"], kAnalysedAgent);
  EXPECT_EQ(lines[0]["session"], "s1");
  EXPECT_EQ(lines[0]["seq"], 1);
  EXPECT_EQ(lines[8]["agent"], "zeta");  // ordered by agent
  EXPECT_EQ(lines[8]["content"][0]["text"], "ünïcode \"quoted\"");
  for (const auto& line : lines) {
    for (const char* key : {"agent", "session", "seq", "role", "content", "created_at"})
      EXPECT_TRUE(line.contains(key)) << line;
  }
  // Byte for byte what `aurite history export` writes.
  EXPECT_EQ(all->body, stored_jsonl());

  auto client = server.client();
  const auto jsonl = client->Get("/history/export?agent=" + segment(kAnalysedAgent) + "&session=s2",
                                 {{"Accept", "application/jsonl"}});
  ASSERT_TRUE(jsonl && jsonl->status == 200);
  EXPECT_EQ(jsonl->get_header_value("Content-Type"), "application/jsonl");
  const auto s2 = lines_of(jsonl->body);
  ASSERT_EQ(s2.size(), 4u);
  for (std::size_t i = 0; i < s2.size(); ++i) {
    EXPECT_EQ(s2[i]["session"], "s2");
    EXPECT_EQ(s2[i]["seq"], i + 1);
  }
  EXPECT_EQ(lines_of(server.get("/history/export?agent=zeta")->body).size(), 1u);
  const auto nobody = server.get("/history/export?agent=Nobody");
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 200);
  EXPECT_TRUE(nobody->body.empty());

  // Round trip: delete everything, import the export, export again.
  for (const char* session : {"s1", "s2"})
    EXPECT_EQ(server.del("/sessions/" + segment(kAnalysedAgent) + "/" + session)->status, 204);
  EXPECT_EQ(server.del("/sessions/zeta/o1")->status, 204);
  EXPECT_TRUE(server.get("/history/export")->body.empty());
  {
    auto db = open();
    std::istringstream in(all->body);
    const auto counts = storage::import_jsonl(*db->history_admin(), in);
    EXPECT_EQ(counts.lines, 9);
    EXPECT_EQ(counts.inserted, 9);
  }
  EXPECT_EQ(server.get("/history/export")->body, all->body);

  EXPECT_THAT(expect_error(server.get("/history/export?session=s1"), 400, "invalid_argument")["message"]
                  .get<std::string>(),
              HasSubstr("'session'"));
  EXPECT_THAT(expect_error(server.get("/history/export?agent="), 400, "invalid_argument")["message"]
                  .get<std::string>(),
              HasSubstr("'agent'"));
  expect_error(server.get("/history/export?agent=" + segment(kAnalysedAgent) + "&session=nope"), 404, "not_found");
}

TEST_P(ApiHistoryAnalysis, ALargeExportArrivesWholeAndInOrder) {
  constexpr int kTurns = 1500;  // more than one page of the store and many chunks of the stream
  {
    std::vector<storage::TurnRecord> turns;
    const std::string padding(200, 'x');
    for (int i = 1; i <= kTurns; ++i) {
      turns.push_back({"bulk", "big", i, "user", json("turn " + std::to_string(i) + " " + padding).dump(),
                       "2026-01-02T03:04:05.678Z"});
    }
    auto db = open();
    ASSERT_EQ(db->history_admin()->import_turns(turns), kTurns);
  }
  ServeProcess server(env());
  const auto result = server.get("/history/export?agent=bulk");
  ASSERT_TRUE(result && result->status == 200);
  EXPECT_GT(result->body.size(), 200u * kTurns);
  const auto lines = lines_of(result->body);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kTurns));
  for (int i = 0; i < kTurns; ++i) {
    ASSERT_EQ(lines[i]["seq"], i + 1);
    ASSERT_EQ(lines[i]["content"].get<std::string>().rfind("turn " + std::to_string(i + 1) + " ", 0), 0u);
  }

  // A client that leaves after the first chunk cuts the export short, and the server serves on.
  std::size_t received = 0;
  const auto cut = server.client()->Get("/history/export", [&](const char*, std::size_t size) {
    received += size;
    return false;
  });
  EXPECT_FALSE(cut);
  EXPECT_GT(received, 0u);
  EXPECT_LT(received, result->body.size());
  EXPECT_EQ(json_of(server.get("/history/search?q=turn&limit=1"))["turns"].size(), 1u);
}

TEST_P(ApiHistoryAnalysis, TurnPagesHaveNoGapOrDuplicateWhileTheSessionGrows) {
  auto db = open();
  auto& history = *db->history();
  for (int i = 1; i <= 7; ++i)
    history.append_turn("pager", "p", i % 2 ? "user" : "assistant", json(std::to_string(i)).dump());
  ServeProcess server(env());

  std::vector<std::int64_t> seqs;
  json after = 0;
  int pages = 0;
  while (!after.is_null()) {
    const json page = json_of(server.get(turns_path("pager", "p") + "?limit=3&after_seq=" + after.dump()));
    ASSERT_TRUE(page.contains("turns")) << page;
    ASSERT_LE(page["turns"].size(), 3u);
    for (const auto& turn : page["turns"]) {
      seqs.push_back(turn["seq"]);
      EXPECT_EQ(turn["content"], std::to_string(turn["seq"].get<int>()));
    }
    after = page["next_after_seq"];
    if (!after.is_null()) {
      EXPECT_EQ(after, page["turns"].back()["seq"]);
    }
    // Turns appended while paging are read by the following pages.
    if (++pages == 1) {
      history.append_turn("pager", "p", "user", json("8").dump());
      history.append_turn("pager", "p", "assistant", json("9").dump());
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));

  // A page that ends exactly at the last turn says so; past the end is an empty page.
  const json exact = json_of(server.get(turns_path("pager", "p") + "?after_seq=6&limit=3"));
  EXPECT_EQ(exact["turns"].size(), 3u);
  EXPECT_TRUE(exact["next_after_seq"].is_null()) << exact;
  const json past = json_of(server.get(turns_path("pager", "p") + "?after_seq=9"));
  EXPECT_TRUE(past["turns"].empty());
  EXPECT_TRUE(past["next_after_seq"].is_null());
  EXPECT_EQ(json_of(server.get(turns_path("pager", "p") + "?limit=1"))["next_after_seq"], 1);

  expect_error(server.get(turns_path("pager", "nope")), 404, "not_found");
  expect_error(server.get(turns_path("pager", "nope") + "?after_seq=3"), 404, "not_found");
  EXPECT_THAT(
      expect_error(server.get(turns_path("pager", "p") + "?after_seq=x"), 400, "invalid_argument")["message"]
          .get<std::string>(),
      HasSubstr("'after_seq'"));
  EXPECT_THAT(
      expect_error(server.get(turns_path("pager", "p") + "?limit=1001"), 400, "invalid_argument")["message"]
          .get<std::string>(),
      HasSubstr("'limit'"));
}

TEST(ApiHistoryOff, AnalysisRoutesAre503WithoutStoredHistory) {
  ServeProcess server(demo_env());
  for (const char* path :
       {"/history/search?q=x", "/history/stats", "/history/export", "/sessions/a/s/turns"}) {
    EXPECT_THAT(expect_error(server.get(path), 503, "unavailable")["message"].get<std::string>(),
                HasSubstr("AURITE_DB_STORE_HISTORY"))
        << path;
  }
}

}  // namespace
}  // namespace aurite::testing
