#include "support/bad_config_corpus.hpp"

#include <algorithm>
#include <fstream>

namespace aurite::testing {

std::vector<BadConfigCase> bad_config_corpus() {
  std::vector<BadConfigCase> cases;
  const std::filesystem::path dir = std::filesystem::path(AURITE_TEST_DATA_DIR) / "bad";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    BadConfigCase c{entry.path().stem().string(), entry.path(), {}};
    std::ifstream expect(std::filesystem::path(entry.path()).replace_extension(".expect"));
    for (std::string line; std::getline(expect, line);) {
      if (!line.empty()) c.expected.push_back(line);
    }
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

}  // namespace aurite::testing
