#include "api/api_context.hpp"

#include <fmt/format.h>

#include "api/http_error.hpp"
#include "aurite/common/error.hpp"

namespace aurite::api::detail {

void ApiContext::run_started() {
  std::lock_guard lock(runs_mutex);
  ++runs_in_flight;
}

void ApiContext::run_finished() {
  {
    std::lock_guard lock(runs_mutex);
    --runs_in_flight;
  }
  runs_changed.notify_all();
}

Handler guarded(Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
    try {
      handler(request, response);
    } catch (const std::exception& error) {
      send_exception(response, error);
    }
  };
}

void add_route(httplib::Server& server, ApiContext& context, const std::string& method, const std::string& path,
               Handler handler) {
  std::string pattern;
  for (std::size_t at = 0; at < path.size();) {
    if (path[at] == '{') {
      pattern += "([^/]+)";
      at = path.find('}', at) + 1;
    } else {
      pattern += path[at++];
    }
  }
  Handler wrapped = guarded(std::move(handler));
  if (method == "GET") {
    server.Get(pattern, wrapped);
  } else if (method == "POST") {
    server.Post(pattern, wrapped);
  } else if (method == "PUT") {
    server.Put(pattern, wrapped);
  } else if (method == "DELETE") {
    server.Delete(pattern, wrapped);
  } else {
    throw Error(ErrorCode::kInternal, "add_route: unsupported method " + method);
  }
  context.routes.emplace_back(method, path);
}

Json parse_body(const httplib::Request& request) {
  try {
    return Json::parse(request.body);
  } catch (const Json::parse_error& error) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("request body is not valid JSON: {}", error.what()));
  }
}

std::string path_param(const httplib::Request& request, std::size_t index) {
  return request.matches[static_cast<int>(index)].str();
}

std::optional<long long> int_param(const httplib::Request& request, const std::string& name, long long min,
                                   long long max) {
  if (!request.has_param(name.c_str())) return std::nullopt;
  const std::string text = request.get_param_value(name.c_str());
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < min || value > max) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("query parameter '{}' must be an integer from {} to {}, got '{}'", name, min, max, text));
  }
  return value;
}

std::optional<std::string> text_param(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name.c_str())) return std::nullopt;
  std::string value = request.get_param_value(name.c_str());
  if (value.empty()) throw Error(ErrorCode::kInvalidArgument, fmt::format("query parameter '{}' must not be empty", name));
  return value;
}

namespace {

constexpr const char* kHistoryOff =
    "history is not stored by this server (set AURITE_ENABLE_DB=true and AURITE_DB_STORE_HISTORY=true)";

}  // namespace

storage::HistoryStore& history_store_of(host::HostManager& host) {
  auto* storage = host.storage();
  auto* history = storage != nullptr ? storage->history() : nullptr;
  if (history == nullptr) throw Error(ErrorCode::kUnavailable, kHistoryOff);
  return *history;
}

storage::HistoryAdmin& history_admin_of(host::HostManager& host) {
  auto* storage = host.storage();
  auto* admin = storage != nullptr ? storage->history_admin() : nullptr;
  if (admin == nullptr) throw Error(ErrorCode::kUnavailable, kHistoryOff);
  return *admin;
}

}  // namespace aurite::api::detail
