// The corpus of bad project files under tests/data/bad/: NAME.json beside NAME.expect,
// whose lines must each appear in the error reported for the file.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace aurite::testing {

struct BadConfigCase {
  std::string name;
  std::filesystem::path file;
  std::vector<std::string> expected;  // substrings of the error message
};

std::vector<BadConfigCase> bad_config_corpus();

// Names the case in test output instead of dumping its bytes.
inline void PrintTo(const BadConfigCase& c, std::ostream* out) { *out << c.name; }

}  // namespace aurite::testing
