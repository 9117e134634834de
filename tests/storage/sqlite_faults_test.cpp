// The SQLite file when the disk is full or the file is read-only: the failing write is a
// clear error naming the file, nothing committed is lost, the failed turn is not half
// written, and the file passes PRAGMA integrity_check. Real file systems and permissions:
// a small tmpfs, a file-size limit on a writer process, a writer without write access.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "aurite/common/error.hpp"
#include "aurite/storage/storage_manager.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/scoped_env.hpp"
#include "support/history_consistency.hpp"
#include "support/small_disk.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "support/unprivileged_user.hpp"

namespace aurite::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::map<std::string, std::string> env_for(const std::filesystem::path& db) {
  return {{"AURITE_ENABLE_DB", "true"}, {"AURITE_DB_URL", "sqlite://" + db.string()}};
}

std::unique_ptr<storage::StorageManager> open_file(const std::filesystem::path& db) {
  ScopedEnv env;
  env.clear_storage();
  for (const auto& [name, value] : env_for(db)) env.set(name, value);
  return storage::StorageManager::open(storage::load_storage_settings());
}

std::string turn_content(int i) {
  return nlohmann::json{{"i", i}, {"text", std::string(200, static_cast<char>('a' + i % 26))}}.dump();
}

// Appends turns 1..count to agent/s and checks their seqs.
void append_turns(storage::StorageManager& storage, int count) {
  for (int i = 1; i <= count; ++i) {
    ASSERT_EQ(storage.history()->append_turn("agent", "s", "user", turn_content(i)), i);
  }
}

// The session holds exactly turns 1..count, whole, gap-free, and its count agrees.
void expect_exactly_turns(storage::StorageManager& storage, int count) {
  const auto turns = storage.history()->load_history("agent", "s", 100'000);
  ASSERT_EQ(turns.size(), static_cast<std::size_t>(count));
  for (int i = 1; i <= count; ++i) {
    EXPECT_EQ(turns[i - 1].seq, i);
    EXPECT_EQ(turns[i - 1].content_json, turn_content(i)) << "turn " << i;
  }
  const auto page = storage.history()->list_sessions({.agent_name = "agent", .limit = 10, .after = ""});
  ASSERT_EQ(page.sessions.size(), 1u);
  EXPECT_EQ(page.sessions[0].turn_count, count);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(SqliteFaults, DiskFullIsAnIoErrorNamingTheFileAndLosesNothing) {
  if (const auto reason = TmpfsMount::unavailable()) {
    GTEST_SKIP() << "no tmpfs can be mounted: " << *reason
                 << " (SqliteFaults.FileSizeLimitIsAnIoErrorNamingTheFileAndLosesNothing covers this)";
  }
  TempDir dir;
  TmpfsMount disk(dir / "disk", 2u << 20);
  const auto db = disk.path() / "aurite.db";
  auto storage = open_file(db);
  append_turns(*storage, 20);

  const auto filler = disk.path() / "filler";
  fill_until_full(filler);
  for (int attempt = 0; attempt < 3; ++attempt) {  // a full disk stays an error, every time
    try {
      storage->history()->append_turn("agent", "s", "user", turn_content(21));
      FAIL() << "an append succeeded on a full disk";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kIo) << error.what();
      EXPECT_THAT(error.what(), HasSubstr(db.string()));
      EXPECT_THAT(error.what(), HasSubstr("full"));
    }
  }
  expect_exactly_turns(*storage, 20);  // reads go on while the disk is full
  EXPECT_EQ(sqlite_integrity_check(db), "ok");

  // Space again: the next turn takes seq 21, so the failed one left no trace.
  std::filesystem::remove(filler);
  EXPECT_EQ(storage->history()->append_turn("agent", "s", "user", turn_content(21)), 21);
  storage.reset();
  EXPECT_EQ(sqlite_integrity_check(db), "ok");
  expect_exactly_turns(*open_file(db), 21);
}

// The same fault where no tmpfs can be mounted: a writer process whose files may not
// grow past a limit (RLIMIT_FSIZE, with SIGXFSZ ignored so write(2) fails with EFBIG
// instead of killing it), so its appends fail once the WAL reaches the limit.
TEST(SqliteFaults, FileSizeLimitIsAnIoErrorNamingTheFileAndLosesNothing) {
  TempDir dir;
  const auto db = dir / "data/aurite.db";
  append_turns(*open_file(db), 5);  // closing checkpoints: the WAL is empty again
  const auto limit_blocks = std::filesystem::file_size(db) / 512 + 512;  // the file plus 256 KiB

  ProcessOptions options;
  options.env = env_for(db);
  options.timeout = 60s;
  const auto result =
      run_process({"sh", "-c", "trap '' XFSZ; ulimit -f \"$1\"; shift; exec \"$@\"", "sh",
                   std::to_string(limit_blocks), kAppendHelper, "100000", "agent", "s", "limited"},
                  options);
  ASSERT_EQ(result.exit_code, 1) << "the writer should stop at the limit: " << result.err;
  EXPECT_THAT(result.err, HasSubstr(db.string()));
  EXPECT_THAT(result.err, AnyOf(HasSubstr("database or disk is full"), HasSubstr("disk I/O error")));
  const auto acknowledged = lines_of(result.out);
  ASSERT_FALSE(acknowledged.empty()) << "the limit left no room for a single append";
  EXPECT_EQ(acknowledged.front(), "6");

  EXPECT_EQ(sqlite_integrity_check(db), "ok");
  auto storage = open_file(db);
  const auto turns = storage->history()->load_history("agent", "s", 100'000);
  // Every acknowledged turn is there, and nothing else: the one that failed is absent.
  ASSERT_EQ(turns.size(), 5 + acknowledged.size());
  for (std::size_t k = 0; k < turns.size(); ++k) EXPECT_EQ(turns[k].seq, static_cast<std::int64_t>(k + 1));
  EXPECT_EQ(turns.back().seq, std::stoll(acknowledged.back()));
  EXPECT_EQ(storage->history()->append_turn("agent", "s", "user", "\"after\""),
            static_cast<std::int64_t>(turns.size()) + 1);
}

// Root ignores file permissions, so the writer runs as an unprivileged user.
TEST(SqliteFaults, ReadOnlyFileIsAnIoErrorNamingTheFileAndChangesNothing) {
  if (running_as_root()) ensure_unprivileged_user();
  TempDir dir;
  const auto folder = dir / "data";
  const auto db = folder / "aurite.db";
  append_turns(*open_file(db), 3);
  ASSERT_FALSE(std::filesystem::exists(folder / "aurite.db-wal"))
      << "the WAL should be gone after the last close";
  // Others may enter the temporary folder; the database and its folder are read-only.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(db.c_str(), 0444), 0);
  ASSERT_EQ(::chmod(folder.c_str(), 0555), 0);
  const auto before = std::filesystem::last_write_time(db);

  ProcessOptions options;
  options.env = env_for(db);
  options.timeout = 60s;
  options.working_dir = dir.path().string();
  const auto result =
      run_process(as_unprivileged_user({kAppendHelper, "1", "agent", "s", "denied"}), options);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_TRUE(result.out.empty()) << "an append was acknowledged: " << result.out;
  EXPECT_THAT(result.err, HasSubstr(db.string()));
  EXPECT_THAT(result.err, HasSubstr("the file is read-only to this process"));

  EXPECT_EQ(std::filesystem::last_write_time(db), before);
  ASSERT_EQ(::chmod(folder.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  EXPECT_EQ(sqlite_integrity_check(db), "ok");
  expect_exactly_turns(*open_file(db), 3);
}

}  // namespace
}  // namespace aurite::testing
