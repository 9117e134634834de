// The error shape of the API and the one mapping from aurite::ErrorCode to HTTP status.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <exception>
#include <string>

namespace aurite::api::detail {

using Json = nlohmann::json;

struct HttpError {
  int status = 500;
  std::string code;     // to_string(ErrorCode), or an HTTP-level code such as payload_too_large
  std::string message;
  Json details = Json::array();  // [{path, message}] for a configuration that failed validation
};

// The one mapping: an exception (ours or not) to status, code, message and details.
HttpError to_http_error(const std::exception& error);

// {"error": {"code", "message", "details"}}
Json error_body(const HttpError& error);

// JSON text for a response. Messages may quote bytes a client sent (a parse error does),
// so invalid UTF-8 becomes U+FFFD instead of failing the response.
std::string dump_for_client(const Json& value);

void send_json(httplib::Response& response, int status, const Json& body);
void send_error(httplib::Response& response, const HttpError& error);
void send_exception(httplib::Response& response, const std::exception& error);

}  // namespace aurite::api::detail
