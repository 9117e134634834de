#include "api/http_error.hpp"

#include "aurite/common/error.hpp"

namespace aurite::api::detail {
namespace {

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    // A configuration that fails to parse or validate is a bad request; the details say
    // where. An invalid configuration met later (a stored custom workflow whose library
    // cannot load) arrives without diagnostics and is 422: the request was fine, the
    // thing it names cannot be processed.
    case ErrorCode::kInvalidConfig: return 422;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kConflict: return 409;
    // Another run holds the session: the request may succeed later, unchanged.
    case ErrorCode::kSessionBusy: return 409;
    // The run met a tool call that needs a person's approval, and cannot ask for it.
    case ErrorCode::kApprovalRequired: return 409;
    // Somebody decided first; the answer names who and when.
    case ErrorCode::kAlreadyDecided: return 409;
    case ErrorCode::kCancelled: return 409;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kTimeout: return 504;
    case ErrorCode::kProtocol: return 502;
    // Not the caller's mistake, whatever the provider's status: its message says what.
    case ErrorCode::kUpstream: return 502;
    case ErrorCode::kIo: return 500;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

}  // namespace

HttpError to_http_error(const std::exception& error) {
  HttpError result;
  result.message = error.what();
  const auto* ours = dynamic_cast<const Error*>(&error);
  if (ours == nullptr) {
    result.status = 500;
    result.code = "internal";
    return result;
  }
  result.code = std::string(to_string(ours->code()));
  result.status = status_for(ours->code());
  if (const auto* config = dynamic_cast<const ConfigError*>(&error)) {
    result.status = 400;
    for (const auto& d : config->diagnostics()) result.details.push_back({{"path", d.path}, {"message", d.message}});
  }
  return result;
}

Json error_body(const HttpError& error) {
  return {{"error", {{"code", error.code}, {"message", error.message}, {"details", error.details}}}};
}

std::string dump_for_client(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void send_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(dump_for_client(body), "application/json");
}

void send_error(httplib::Response& response, const HttpError& error) {
  send_json(response, error.status, error_body(error));
}

void send_exception(httplib::Response& response, const std::exception& error) {
  send_error(response, to_http_error(error));
}

}  // namespace aurite::api::detail
