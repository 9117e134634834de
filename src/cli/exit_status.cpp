#include "cli/exit_status.hpp"

#include <iostream>

#include "aurite/common/error.hpp"
#include "cli/output.hpp"

namespace aurite::cli {

int exit_status_for(const std::exception& error) {
  const auto* ours = dynamic_cast<const Error*>(&error);
  if (ours == nullptr) return kExitFailure;
  switch (ours->code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kInvalidConfig:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kUnauthenticated:
      return kExitUsage;
    case ErrorCode::kSessionBusy:
      return kExitBusy;
    case ErrorCode::kCancelled:
      return kExitCancelled;
    case ErrorCode::kApprovalRequired:
    case ErrorCode::kAlreadyDecided:
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
    case ErrorCode::kProtocol:
    case ErrorCode::kUpstream:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return kExitFailure;
  }
  return kExitFailure;
}

namespace {

nlohmann::json error_json(const std::exception& error) {
  nlohmann::json body = {{"message", error.what()}};
  if (const auto* ours = dynamic_cast<const Error*>(&error)) body["code"] = to_string(ours->code());
  body["details"] = nlohmann::json::array();
  if (const auto* config = dynamic_cast<const ConfigError*>(&error)) {
    body["source"] = config->source();
    for (const auto& d : config->diagnostics()) body["details"].push_back({{"path", d.path}, {"message", d.message}});
  }
  return {{"error", body}};
}

}  // namespace

int run_reporting_errors(const Context& context, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
    if (context.options.json) print_json(std::cout, error_json(error));
    return exit_status_for(error);
  }
}

}  // namespace aurite::cli
