// Several processes on one database: concurrent migrators, concurrent writers of one
// session, and a writer killed mid-stream. Each process is the append helper program.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "storage/backend_fixture.hpp"
#include "support/child_process.hpp"
#include "support/subprocess.hpp"

namespace aurite::testing {
namespace {

using namespace std::chrono_literals;

class ConcurrencyTest : public BackendTest {
 protected:
  std::future<ProcessResult> start_helper(int count, const std::string& tag) {
    ProcessOptions options;
    options.env = db_env();
    options.timeout = 120s;
    std::vector<std::string> argv = {kAppendHelper, std::to_string(count), "agent", "shared", tag};
    return std::async(std::launch::async, [argv, options] { return run_process(argv, options); });
  }
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ConcurrencyTest);

std::vector<std::int64_t> parse_seqs(const std::string& out) {
  std::vector<std::int64_t> seqs;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) seqs.push_back(std::stoll(line));
  return seqs;
}

TEST_P(ConcurrencyTest, ProcessesMigratingAnEmptyDatabaseAtOnceAllSucceed) {
  std::vector<std::future<ProcessResult>> runs;
  for (int i = 0; i < 4; ++i) runs.push_back(start_helper(0, "migrator"));
  for (auto& run : runs) {
    const auto result = run.get();
    EXPECT_EQ(result.exit_code, 0) << result.err;
  }
  const auto status = open()->status();
  EXPECT_EQ(status.schema_version, 8);
  EXPECT_EQ(status.row_counts.at("schema_migrations"), 8);
}

TEST_P(ConcurrencyTest, TwoProcessesAppendingToOneSessionLoseAndDuplicateNothing) {
  constexpr int kEach = 1000;
  auto a = start_helper(kEach, "a");
  auto b = start_helper(kEach, "b");
  const auto ra = a.get();
  const auto rb = b.get();
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  ASSERT_EQ(rb.exit_code, 0) << rb.err;

  std::set<std::int64_t> acknowledged;
  for (const auto* result : {&ra, &rb}) {
    const auto seqs = parse_seqs(result->out);
    EXPECT_EQ(seqs.size(), static_cast<std::size_t>(kEach));
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));  // each writer's turns in its order
    acknowledged.insert(seqs.begin(), seqs.end());
  }
  EXPECT_EQ(acknowledged.size(), 2u * kEach);
  EXPECT_EQ(*acknowledged.rbegin(), 2 * kEach);

  auto db = open();
  const auto turns = db->history()->load_history("agent", "shared", 5000);
  ASSERT_EQ(turns.size(), 2u * kEach);
  std::map<std::string, int> next_i = {{"a", 0}, {"b", 0}};
  for (std::size_t k = 0; k < turns.size(); ++k) {
    EXPECT_EQ(turns[k].seq, static_cast<std::int64_t>(k + 1));
    const auto content = nlohmann::json::parse(turns[k].content_json);
    const std::string tag = content.at("tag");
    EXPECT_EQ(content.at("i").get<int>(), next_i[tag]++) << "seq " << turns[k].seq;
  }
  const auto session = db->history()->list_sessions({.agent_name = "agent", .limit = 1, .after = ""});
  ASSERT_EQ(session.sessions.size(), 1u);
  EXPECT_EQ(session.sessions[0].turn_count, 2 * kEach);
}

TEST_P(ConcurrencyTest, WriterKilledMidStreamLeavesEveryAcknowledgedTurnReadable) {
  open();  // schema in place, so the writer starts appending at once
  ChildProcess writer({kAppendHelper, "1000000", "agent", "shared", "victim"}, db_env());
  std::vector<std::int64_t> acknowledged;
  while (acknowledged.size() < 150) {
    const auto line = writer.read_line(30s);
    ASSERT_TRUE(line.has_value()) << "the writer stopped after " << acknowledged.size() << " turns";
    acknowledged.push_back(std::stoll(*line));
  }
  writer.kill(SIGKILL);
  EXPECT_EQ(writer.wait(), 128 + SIGKILL);
  // Whatever it printed before dying was acknowledged too.
  while (const auto line = writer.read_line(1s)) acknowledged.push_back(std::stoll(*line));

  auto db = open();
  const auto turns = db->history()->load_history("agent", "shared", 10'000'000);
  std::set<std::int64_t> stored;
  for (const auto& turn : turns) stored.insert(turn.seq);
  for (const auto seq : acknowledged) EXPECT_TRUE(stored.contains(seq)) << "acknowledged seq " << seq << " lost";
  // Stored seqs are gap-free from 1: a half-written turn is either whole or absent.
  ASSERT_FALSE(turns.empty());
  EXPECT_EQ(turns.front().seq, 1);
  EXPECT_EQ(turns.back().seq, static_cast<std::int64_t>(turns.size()));
  // The session's count agrees with its rows, so the next append continues the sequence.
  EXPECT_EQ(db->history()->append_turn("agent", "shared", "user", "\"after\""),
            static_cast<std::int64_t>(turns.size()) + 1);
}

}  // namespace
}  // namespace aurite::testing
