// storage_append_helper COUNT AGENT SESSION [TAG]: opens the database named by the
// AURITE_DB_* environment (migrating it), appends COUNT user turns
// {"tag": TAG, "i": <n>} to AGENT/SESSION, and prints each acknowledged seq on its own
// line as soon as append_turn returns. Exit status 0 on success, 1 with the error on
// stderr otherwise. COUNT 0 only opens and migrates.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "aurite/common/log.hpp"
#include "aurite/storage/storage_manager.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s COUNT AGENT SESSION [TAG]\n", argv[0]);
    return 2;
  }
  try {
    aurite::init_logging("warn");  // stderr: stdout carries only the seqs
    const long count = std::stol(argv[1]);
    const std::string tag = argc > 4 ? argv[4] : "helper";
    auto manager = aurite::storage::StorageManager::open(aurite::storage::load_storage_settings());
    for (long i = 0; i < count; ++i) {
      const std::string content = nlohmann::json{{"tag", tag}, {"i", i}}.dump();
      const auto seq = manager->history()->append_turn(argv[2], argv[3], "user", content);
      std::printf("%lld\n", static_cast<long long>(seq));
      std::fflush(stdout);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "append helper: %s\n", e.what());
    return 1;
  }
}
