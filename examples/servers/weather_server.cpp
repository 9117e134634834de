// aurite-example-weather-server [--http HOST:PORT]: an MCP server with two tools, on
// stdio, or with --http on Streamable HTTP at http://HOST:PORT/mcp.
//
//   weather_lookup {location, units?}  made-up but deterministic weather: the same
//                                      location and units always give the same answer
//   current_time {timezone?}           the time now in a zone (standard time, no DST);
//                                      AURITE_EXAMPLE_FIXED_TIME (epoch seconds or
//                                      YYYY-MM-DDTHH:MM:SSZ) fixes the clock for demos and tests
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <iomanip>
#include <sstream>
#include <string>
#include <unordered_map>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/server.hpp"

namespace {

using aurite::Error;
using aurite::ErrorCode;
using aurite::mcp::Json;
using aurite::mcp::ToolResult;

constexpr const char* kConditions[] = {"sunny", "partly cloudy", "cloudy", "light rain", "windy", "foggy"};

// FNV-1a: a stable hash (std::hash may differ between builds), so answers never change.
std::uint32_t stable_hash(const std::string& text) {
  std::uint32_t h = 2166136261u;
  for (const unsigned char c : text) h = (h ^ c) * 16777619u;
  return h;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

ToolResult weather_lookup(const Json& args) {
  if (!args.contains("location") || !args["location"].is_string() || args["location"].get<std::string>().empty()) {
    throw Error(ErrorCode::kInvalidArgument, "weather_lookup needs a non-empty string 'location'");
  }
  const std::string location = args["location"];
  const std::string units = args.value("units", "metric");
  if (units != "metric" && units != "imperial") {
    throw Error(ErrorCode::kInvalidArgument, "units must be 'metric' or 'imperial', not '" + units + "'");
  }
  const std::uint32_t h = stable_hash(lower(location));
  const int celsius = static_cast<int>(h % 35) - 5;  // -5..29 °C
  const int temperature = units == "metric" ? celsius : celsius * 9 / 5 + 32;
  const std::string condition = kConditions[(h / 35) % std::size(kConditions)];
  const int humidity = 30 + static_cast<int>((h / 7) % 60);
  const int wind = static_cast<int>((h / 11) % 40);
  const std::string unit = units == "metric" ? "°C" : "°F";
  const Json data = {{"location", location}, {"temperature", temperature}, {"units", units},
                     {"condition", condition}, {"humidity", humidity}, {"wind_kmh", wind}};
  ToolResult result = aurite::mcp::text_result("Weather in " + location + ": " + condition + ", " +
                                               std::to_string(temperature) + unit + ", humidity " +
                                               std::to_string(humidity) + "%, wind " + std::to_string(wind) + " km/h");
  result.structured_content = data;
  return result;
}

// Standard-time offsets in minutes. A fixed table keeps answers deterministic and
// independent of the machine's tz database.
const std::unordered_map<std::string, int>& zone_offsets() {
  static const std::unordered_map<std::string, int> zones = {
      {"utc", 0}, {"gmt", 0}, {"europe/london", 0}, {"europe/paris", 60}, {"europe/berlin", 60},
      {"europe/madrid", 60}, {"europe/athens", 120}, {"europe/moscow", 180}, {"asia/dubai", 240},
      {"asia/kolkata", 330}, {"asia/shanghai", 480}, {"asia/singapore", 480}, {"asia/tokyo", 540},
      {"australia/sydney", 600}, {"pacific/auckland", 720}, {"america/sao_paulo", -180},
      {"america/new_york", -300}, {"america/chicago", -360}, {"america/denver", -420},
      {"america/los_angeles", -480}, {"pacific/honolulu", -600}};
  return zones;
}

int offset_minutes(const std::string& zone) {
  const auto it = zone_offsets().find(lower(zone));
  if (it != zone_offsets().end()) return it->second;
  // "+05:30" / "-08:00"
  int hours = 0, minutes = 0;
  char sign = 0;
  if (std::sscanf(zone.c_str(), "%c%2d:%2d", &sign, &hours, &minutes) == 3 && (sign == '+' || sign == '-') &&
      zone.size() == 6 && hours <= 14 && minutes < 60) {
    return (sign == '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  throw Error(ErrorCode::kInvalidArgument, "unknown timezone '" + zone + "' (use a name like Europe/Paris or +HH:MM)");
}

std::time_t now() {
  const auto fixed = aurite::get_env("AURITE_EXAMPLE_FIXED_TIME");
  if (!fixed || fixed->empty()) return std::time(nullptr);
  if (fixed->find_first_not_of("0123456789") == std::string::npos) return static_cast<std::time_t>(std::stoll(*fixed));
  std::tm tm{};
  std::istringstream in(*fixed);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  if (in.fail()) throw Error(ErrorCode::kInvalidArgument, "AURITE_EXAMPLE_FIXED_TIME is not epoch seconds or YYYY-MM-DDTHH:MM:SSZ");
  return timegm(&tm);
}

ToolResult current_time(const Json& args) {
  const std::string zone = args.value("timezone", "UTC");
  const int offset = offset_minutes(zone);
  const std::time_t local = now() + static_cast<std::time_t>(offset) * 60;
  std::tm tm{};
  gmtime_r(&local, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  const std::string iso =
      fmt::format("{}{}{:02}:{:02}", text, offset < 0 ? '-' : '+', std::abs(offset) / 60, std::abs(offset) % 60);
  ToolResult result = aurite::mcp::text_result("Current time in " + zone + ": " + iso);
  result.structured_content = Json{{"timezone", zone}, {"time", iso}};
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> http;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--http" && i + 1 < argc) {
      http = argv[++i];
    } else {
      std::fprintf(stderr, "usage: aurite-example-weather-server [--http HOST:PORT]\n");
      return 2;
    }
  }
  aurite::mcp::McpServer::Options options;
  options.name = "aurite-example-weather-server";
  aurite::mcp::McpServer server(options);
  // Both only look things up: a client's require_approval "destructive" lets them run.
  const aurite::mcp::Json kReadOnly = {{"readOnlyHint", true}};
  server.add_tool({"weather_lookup", "Current weather for a location (example data, deterministic).",
                   {{"type", "object"},
                    {"properties", {{"location", {{"type", "string"}, {"description", "City or place name"}}},
                                    {"units", {{"type", "string"}, {"enum", {"metric", "imperial"}}, {"default", "metric"}}}}},
                    {"required", {"location"}}},
                   weather_lookup, aurite::mcp::Json(), kReadOnly});
  server.add_tool({"current_time", "The current time in a timezone (standard time, no daylight saving).",
                   {{"type", "object"},
                    {"properties", {{"timezone", {{"type", "string"}, {"description", "e.g. Europe/Paris, UTC or +05:30"}, {"default", "UTC"}}}}}},
                   current_time, aurite::mcp::Json(), kReadOnly});
  return aurite::mcp::serve_stdio_or_http(server, "aurite-example-weather-server", http);
}
