#include "aurite/common/error.hpp"

#include <fmt/format.h>

namespace aurite {
namespace {

std::string describe(const std::string& source, const std::vector<Diagnostic>& diagnostics) {
  std::string text = fmt::format("{}: {} configuration error{}", source, diagnostics.size(),
                                 diagnostics.size() == 1 ? "" : "s");
  for (const auto& diagnostic : diagnostics) {
    text += "\n  " + to_string(diagnostic);
  }
  return text;
}

}  // namespace

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kInvalidConfig: return "invalid_config";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kSessionBusy: return "session_busy";
    case ErrorCode::kApprovalRequired: return "approval_required";
    case ErrorCode::kAlreadyDecided: return "already_decided";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kProtocol: return "protocol";
    case ErrorCode::kUpstream: return "upstream_error";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::string to_string(const Diagnostic& diagnostic) {
  if (diagnostic.path.empty()) return diagnostic.message;
  return diagnostic.path + ": " + diagnostic.message;
}

ConfigError::ConfigError(std::string source, std::vector<Diagnostic> diagnostics)
    : Error(ErrorCode::kInvalidConfig, describe(source, diagnostics)),
      source_(std::move(source)),
      diagnostics_(std::move(diagnostics)) {}

}  // namespace aurite
