#include "api/api_context.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "api/http_error.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"

namespace aurite::api::detail {

void ApiContext::run_started() {
  std::unique_lock lock(runs_mutex);
  runs_changed.wait(lock, [this] { return runs_in_flight < max_runs; });
  ++runs_in_flight;
}

void ApiContext::run_finished() {
  {
    std::lock_guard lock(runs_mutex);
    --runs_in_flight;
  }
  runs_changed.notify_all();
}

void ApiContext::run_in_background(const std::string& run_id, std::function<void()> body) {
  std::lock_guard lock(background_mutex);
  background_done.clear();  // joins those that finished
  background.emplace(run_id, std::jthread([this, run_id, body = std::move(body)] {
    bool started = false;
    {
      std::unique_lock lock(runs_mutex);
      runs_changed.wait(lock, [this] { return runs_in_flight < max_runs || background_stopping; });
      if (!background_stopping) {
        ++runs_in_flight;
        started = true;
      }
    }
    try {
      if (started) {
        body();
      } else {
        host.runs().cancel(run_id, "the server, shutting down before it started");
      }
    } catch (const std::exception& error) {
      spdlog::debug("background run {}: {}", run_id, error.what());  // recorded in the run itself
    }
    if (started) run_finished();
    std::lock_guard done(background_mutex);
    if (auto it = background.find(run_id); it != background.end()) {
      background_done.push_back(std::move(it->second));
      background.erase(it);
    }
  }));
}

ApiContext::~ApiContext() {
  {
    std::lock_guard lock(runs_mutex);
    background_stopping = true;
  }
  runs_changed.notify_all();
  std::vector<std::jthread> threads;
  {
    std::lock_guard lock(background_mutex);
    for (auto& [id, thread] : background) {
      host.runs().cancel_here(id);
      threads.push_back(std::move(thread));
    }
    background.clear();
    for (auto& thread : background_done) threads.push_back(std::move(thread));
    background_done.clear();
  }
  // Joined here, without the lock the threads take as they finish.
}

std::vector<std::string> ApiContext::allowed_methods(const std::string& path) const {
  std::vector<std::string> allowed;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const std::string& method = routes[i].first;
    if (!std::regex_match(path, route_patterns[i])) continue;
    if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) allowed.push_back(method);
  }
  return allowed;
}

void ApiContext::stream_opened(OpenStream* stream) {
  std::lock_guard lock(streams_mutex);
  streams.insert(stream);
}

void ApiContext::stream_closed(OpenStream* stream) {
  std::lock_guard lock(streams_mutex);
  streams.erase(stream);
}

void ApiContext::stream_accepted() {
  std::lock_guard lock(streams_mutex);
  ++streams_accepted;
}

void ApiContext::stream_began_or_dropped() {
  {
    std::lock_guard lock(streams_mutex);
    --streams_accepted;
  }
  streams_changed.notify_all();
}

bool ApiContext::wait_for_accepted_streams(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(streams_mutex);
  return streams_changed.wait_until(lock, deadline, [this] { return streams_accepted == 0; });
}

void ApiContext::end_streams(const std::string& event, const Json& data) {
  std::lock_guard lock(streams_mutex);
  for (OpenStream* stream : streams) stream->end_with(event, data);
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

namespace {

// Reads the body ourselves instead of letting httplib do it: httplib 0.11 caps
// application/x-www-form-urlencoded bodies (what `curl -d` sends unless told otherwise)
// at 8 KiB inside its compiled library and parses them as form fields. Every body here is
// JSON whatever its label, bounded by the server's payload limit alone (413 beyond it).
httplib::Server::HandlerWithContentReader with_body(Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& request, httplib::Response& response,
                                        const httplib::ContentReader& read) {
    if (request.is_multipart_form_data()) {
      send_exception(response, Error(ErrorCode::kInvalidArgument,
                                     "request body is multipart/form-data; send JSON (Content-Type: application/json)"));
      return;
    }
    std::string body;
    if (!read([&body](const char* data, std::size_t size) {
          body.append(data, size);
          return true;
        })) {
      return;  // httplib answers (413 over the limit, 400 for a broken body)
    }
    // The match results point into request.path, which outlives the copy.
    httplib::Request with_body = request;
    with_body.body = std::move(body);
    handler(with_body, response);
  };
}

}  // namespace

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
  // Timed by the route's template, so the label values stay as few as the routes.
  Handler wrapped = [method, path, inner = guarded(std::move(handler))](const httplib::Request& request,
                                                                        httplib::Response& response) {
    const auto started = std::chrono::steady_clock::now();
    inner(request, response);
    telemetry::record_http_request(method, path, response.status == -1 ? 200 : response.status,
                                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  if (method == "GET") {
    server.Get(pattern, wrapped);
  } else if (method == "POST") {
    server.Post(pattern, with_body(wrapped));
  } else if (method == "PUT") {
    server.Put(pattern, with_body(wrapped));
  } else if (method == "DELETE") {
    server.Delete(pattern, wrapped);
  } else {
    throw Error(ErrorCode::kInternal, "add_route: unsupported method " + method);
  }
  context.routes.emplace_back(method, path);
  context.route_patterns.emplace_back(pattern);
}

Json parse_object_body(const httplib::Request& request, const std::vector<std::string>& fields,
                       std::vector<Diagnostic>& problems) {
  Json body = parse_body(request);
  if (!body.is_object()) throw ConfigError("request body", {{"", "expected an object"}});
  for (const auto& [key, value] : body.items()) {
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) continue;
    problems.push_back({key, "unknown field" + did_you_mean(key, fields)});
  }
  return body;
}

Json parse_body(const httplib::Request& request) {
  try {
    return Json::parse(request.body);
  } catch (const Json::parse_error& error) {
    const std::string type = request.get_header_value("Content-Type");
    if (!type.empty() && type.find("json") == std::string::npos) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("request body is not JSON (Content-Type: {}); send JSON with Content-Type: application/json",
                              type));
    }
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
