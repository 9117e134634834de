// `aurite history import FILE [--dry-run]` on both backends: what export writes is read
// back, a dry run writes nothing, a bad line names its number and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_test_support.hpp"
#include "storage/backend_fixture.hpp"
#include "support/subprocess.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string turn_line(const std::string& session, int seq, const std::string& role, const std::string& text) {
  return json{{"agent", "Weather Agent"}, {"session", session}, {"seq", seq}, {"role", role},
              {"content", json::array({{{"type", "text"}, {"text", text}}})}, {"created_at", "2026-03-01T12:00:0" + std::to_string(seq) + ".000Z"}}
             .dump();
}

class HistoryImport : public testing::BackendTest {
 protected:
  testing::ProcessResult aurite(const std::vector<std::string>& args) const {
    testing::ProcessOptions options;
    options.unset_env = kStorageVariables;
    options.env = db_env();
    return testing::run_aurite(args, options);
  }

  std::int64_t stored_turns() const {
    const auto result = aurite({"history", "stats", "--json"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::int64_t turns = 0;
    const json stats = json::parse(result.out);
    for (const auto& agent : stats["per_agent"]) turns += agent["turns"].get<std::int64_t>();
    return turns;
  }

  std::string file_with(const std::vector<std::string>& lines) const {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return dir_.write("history-" + std::to_string(++files_) + ".jsonl", text).string();
  }

  mutable int files_ = 0;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(HistoryImport);

TEST_P(HistoryImport, ADryRunCountsWhatWouldBeAddedAndWritesNothing) {
  const std::string file = file_with({turn_line("s1", 1, "user", "Oslo?"), turn_line("s1", 2, "assistant", "Rain."),
                                      "", turn_line("s2", 1, "user", "Lisbon?")});
  const auto dry = aurite({"history", "import", file, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("3 turns in 2 sessions, all valid; importing would add 3 (0 already stored); nothing was written"));
  EXPECT_EQ(stored_turns(), 0);

  const auto imported = aurite({"history", "import", file, "--json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const json counts = json::parse(imported.out);
  EXPECT_EQ(counts["dry_run"], false);
  EXPECT_EQ(counts["turns"], 3);
  EXPECT_EQ(counts["sessions"], 2);
  EXPECT_EQ(counts["inserted"], 3);
  EXPECT_EQ(stored_turns(), 3);

  // One turn more in a file that holds the three: a dry run sees which are stored.
  const std::string grown = file_with({turn_line("s1", 1, "user", "Oslo?"), turn_line("s1", 2, "assistant", "Rain."),
                                       turn_line("s1", 3, "user", "Tomorrow?"), turn_line("s2", 1, "user", "Lisbon?")});
  const auto again = aurite({"history", "import", grown, "--dry-run", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const json would = json::parse(again.out);
  EXPECT_EQ(would["dry_run"], true);
  EXPECT_EQ(would["inserted"], 1);
  EXPECT_EQ(would["already_stored"], 3);
  EXPECT_EQ(stored_turns(), 3);

  const auto second = aurite({"history", "import", grown});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("4 turns in 2 sessions, 1 new, 3 already stored"));
  const auto show = aurite({"history", "show", "Weather Agent", "--session", "s1", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const json turns = json::parse(show.out);
  ASSERT_EQ(turns.size(), 3u);
  EXPECT_EQ(turns[2]["content"][0]["text"], "Tomorrow?");
  EXPECT_EQ(turns[2]["created_at"], "2026-03-01T12:00:03.000Z");
}

TEST_P(HistoryImport, WhatExportWroteImportsIntoAnotherDatabase) {
  const std::string file = file_with({turn_line("s1", 1, "user", "Oslo?"), turn_line("s1", 2, "assistant", "Rain.")});
  ASSERT_EQ(aurite({"history", "import", file}).exit_code, 0);
  const auto exported = aurite({"history", "export", "--output", (dir_ / "out.jsonl").string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto dry = aurite({"history", "import", (dir_ / "out.jsonl").string(), "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(json::parse(dry.out)["inserted"], 0) << "every exported turn is stored already";
  EXPECT_EQ(json::parse(dry.out)["turns"], 2);
}

TEST_P(HistoryImport, ABadLineIsNamedAndNothingIsImported) {
  const std::string file = file_with({turn_line("s1", 1, "user", "Oslo?"), R"({"agent": "Weather Agent", "session": "s1"})"});
  for (const bool dry : {true, false}) {
    std::vector<std::string> args = {"history", "import", file};
    if (dry) args.push_back("--dry-run");
    const auto result = aurite(args);
    EXPECT_EQ(result.exit_code, 2) << result.out;
    EXPECT_THAT(result.err, HasSubstr(file + ": line 2: \"role\" must be a string; nothing was imported"));
  }
  EXPECT_EQ(stored_turns(), 0);

  const auto missing = aurite({"history", "import", (dir_ / "nope.jsonl").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot read " + (dir_ / "nope.jsonl").string()));
}

TEST(HistoryImportWithoutDatabase, SaysToTurnTheDatabaseOn) {
  testing::TempDir dir;
  const auto file = dir.write("h.jsonl", turn_line("s1", 1, "user", "Oslo?") + "\n");
  testing::ProcessOptions options;
  options.unset_env = kStorageVariables;
  const auto result = testing::run_aurite({"history", "import", file.string()}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("AURITE_ENABLE_DB=true"));
}

}  // namespace
}  // namespace aurite::cli
