// Fuzz target: a project file as `aurite` reads it (config::parse_project_text: JSON,
// lenient parsing, validation).
//
// Properties beyond "no crash":
// - the only exception is ConfigError (the documented one), with at least one
//   diagnostic and messages that are valid UTF-8;
// - a project that loads re-encodes (dump_project) to text that loads again as the same
//   model, and re-encodes to the same text: save followed by load loses nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aurite/common/error.hpp"
#include "aurite/config/project_file.hpp"
#include "fuzz_support.hpp"

namespace {

using aurite::ConfigError;
using aurite::config::LoadedProject;

const std::filesystem::path kBaseDir = "/nonexistent/project";

void check_rejection(const ConfigError& error) {
  if (error.diagnostics().empty()) aurite::fuzz::fail("ConfigError without diagnostics");
  aurite::fuzz::check_message("config", error.what());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadedProject first;
  try {
    first = aurite::config::parse_project_text(text, "fuzz input", kBaseDir);
  } catch (const ConfigError& error) {
    check_rejection(error);
    return 0;
  }
  const std::string encoded = aurite::config::dump_project(first.project);
  LoadedProject second;
  try {
    second = aurite::config::parse_project_text(encoded, "re-encoded", kBaseDir);
  } catch (const ConfigError& error) {
    aurite::fuzz::fail(std::string("a loaded project, re-encoded, is rejected: ") + error.what() + "\n" + encoded);
  }
  if (!(second.project == first.project)) {
    aurite::fuzz::fail("re-encoding changed the project:\n" + encoded + "\nbecame\n" +
                       aurite::config::dump_project(second.project));
  }
  if (aurite::config::dump_project(second.project) != encoded) {
    aurite::fuzz::fail("re-encoding is not stable:\n" + encoded);
  }
  return 0;
}
