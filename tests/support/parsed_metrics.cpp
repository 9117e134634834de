#include "support/parsed_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "support/subprocess.hpp"

namespace aurite::testing {

nlohmann::json parse_metrics(const std::string& text) {
  ProcessOptions options;
  options.stdin_text = text;
  // Debian's interpreter: the parser is its package, whatever python3 comes first on PATH.
  const auto result = run_process({"/usr/bin/python3", AURITE_SOURCE_DIR "/tests/support/parse_metrics.py"}, options);
  if (result.exit_code != 0) {
    ADD_FAILURE() << "the Prometheus parser refused the text (exit " << result.exit_code << "): " << result.err
                  << "\n" << text.substr(0, 2000);
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(result.out);
}

double sample_value(const nlohmann::json& parsed, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& [family, content] : parsed.items()) {
    for (const auto& sample : content["samples"]) {
      if (sample[0] != name || sample[1].get<std::map<std::string, std::string>>() != labels) continue;
      if (sample[2].is_string()) return std::numeric_limits<double>::infinity();
      return sample[2].get<double>();
    }
  }
  ADD_FAILURE() << "no sample " << name << " " << nlohmann::json(labels).dump();
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace aurite::testing
