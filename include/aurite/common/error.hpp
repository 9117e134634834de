// common/error — the one error model of the project.
//
// Every failure is an aurite::Error (an exception) carrying an ErrorCode that says what
// kind of failure it is and a message that names what was wrong and where (file, JSON
// path, variable, host:port). Entrypoints map the code to an exit status or an HTTP
// status in one function each; nothing else inspects messages.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aurite {

enum class ErrorCode {
  kInvalidArgument,  // bad input from the caller (CLI usage, request body, flag value)
  kInvalidConfig,    // a configuration that fails to parse or validate
  kNotFound,         // a named thing that does not exist
  kAlreadyExists,    // a create that collides with an existing name
  kConflict,         // a change the current state forbids (deleting what others reference)
  kSessionBusy,      // a run's session is held by another run (refused, or waited for too long)
  kApprovalRequired, // a tool call waits for a person's decision that nobody here can give
  kAlreadyDecided,   // a decision on an approval somebody decided before
  kCancelled,        // work stopped because somebody asked (Ctrl-C, DELETE /runs/{id})
  kUnauthenticated,  // the caller did not prove who it is (a missing or wrong API key)
  kUnavailable,      // a dependency (database, server, process) cannot be reached
  kTimeout,          // a deadline passed
  kProtocol,         // a peer broke its wire protocol
  kUpstream,         // a service we call (a model provider) answered with an error of its own
  kIo,               // a file system operation failed
  kInternal,         // a bug: an invariant of ours did not hold
};

std::string_view to_string(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// One problem in a configuration: `path` is the JSON path inside the document
// (`agents[2].client_ids[0]`, empty for the document itself).
struct Diagnostic {
  std::string path;
  std::string message;

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

std::string to_string(const Diagnostic& diagnostic);

// A configuration rejected as a whole: every problem found, not just the first.
// `source` names the document (a file path, or a description such as "request body").
class ConfigError : public Error {
 public:
  ConfigError(std::string source, std::vector<Diagnostic> diagnostics);

  const std::string& source() const noexcept { return source_; }
  const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::string source_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace aurite
