// Metrics text read by the Prometheus client library's parser (support/parse_metrics.py,
// Debian's python3-prometheus-client), so a test checks the format as a scraper reads it.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace aurite::testing {

// {family: {"type", "help", "samples": [[name, labels, value]...]}}. Fails the test (and
// returns an empty object) when the parser refuses the text or cannot be run.
nlohmann::json parse_metrics(const std::string& text);

// The value of the sample `name` with exactly these labels; NaN (failing the test) when
// there is none.
double sample_value(const nlohmann::json& parsed, const std::string& name,
                    const std::map<std::string, std::string>& labels);

}  // namespace aurite::testing
