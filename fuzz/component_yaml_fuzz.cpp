// Fuzz target: a YAML component file of an Aurite 0.4 project as aurite reads it
// (config::detail::parse_yaml, then each component through the parser of its type).
//
// Properties beyond "no crash":
// - the only exception is ConfigError, with at least one diagnostic and messages that
//   are valid UTF-8;
// - what parses is JSON that dumps and parses back to itself (no NaN, no bytes that
//   are not UTF-8 slip through into a model).
#include <cstddef>
#include <cstdint>
#include <string>

#include "aurite/common/error.hpp"
#include "aurite/config/json_codec.hpp"
#include "config/component_files.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  aurite::config::Json document;
  try {
    document = aurite::config::detail::parse_yaml(text, "fuzz input");
  } catch (const aurite::ConfigError& error) {
    if (error.diagnostics().empty()) aurite::fuzz::fail("ConfigError without diagnostics");
    aurite::fuzz::check_message("component yaml", error.what());
    return 0;
  }
  std::string dumped;
  try {
    dumped = document.dump();
  } catch (const std::exception& error) {
    aurite::fuzz::fail(std::string("parsed YAML does not dump: ") + error.what());
  }
  if (aurite::config::Json::parse(dumped) != document) {
    aurite::fuzz::fail("parsed YAML does not round-trip as JSON: " + dumped);
  }
  if (!document.is_array()) return 0;
  for (const auto& component : document) {
    aurite::config::ParseReport report;
    aurite::config::parse_agent(component, "[0]", report);
    aurite::config::parse_client(component, "[0]", report);
    aurite::config::parse_workflow(component, "[0]", report);
    aurite::config::parse_graph_workflow(component, "[0]", report);
    for (const auto& problem : report.errors) aurite::fuzz::check_message("component yaml", problem.message);
  }
  return 0;
}
