// Reads the fields of one JSON object into typed values, leniently, recording every
// problem with its JSON path and remembering which keys were used so the rest can be
// kept verbatim.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aurite/config/json_codec.hpp"

namespace aurite::config::detail {

// The JSON path of a key of an object at `path`.
std::string key_path(const std::string& path, const std::string& key);
// The JSON path of element `index` of an array at `path`.
std::string index_path(const std::string& path, std::size_t index);
// "a string", "an array", ... for messages.
std::string describe_type(const Json& value);

class FieldReader {
 public:
  // Reports an error (and reads nothing) when `object` is not a JSON object.
  FieldReader(const Json& object, std::string path, ParseReport& report);

  bool ok() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }

  // Each reader takes the current key name first, then older aliases. A key that is
  // missing or null yields nullopt; `required` makes that an error.
  std::optional<std::string> string(std::initializer_list<std::string> keys, bool required = false);
  std::optional<double> number(std::initializer_list<std::string> keys);
  std::optional<int64_t> integer(std::initializer_list<std::string> keys);
  std::optional<bool> boolean(std::initializer_list<std::string> keys);
  std::vector<std::string> string_list(std::initializer_list<std::string> keys);
  std::map<std::string, std::string> string_map(std::initializer_list<std::string> keys);
  std::optional<Json> object(std::initializer_list<std::string> keys);
  // The raw value and its path, for fields that need a parser of their own.
  std::optional<std::pair<const Json*, std::string>> raw(std::initializer_list<std::string> keys);

  // Every key not read above, recorded as unknown in the report.
  Json take_unknown();

  void error(const std::string& path, const std::string& message);

 private:
  // The value under the first of `keys` present (not null), marking all of them used.
  std::optional<std::pair<const Json*, std::string>> find(std::initializer_list<std::string> keys);

  const Json* object_ = nullptr;
  std::string path_;
  ParseReport& report_;
  std::set<std::string> used_;
};

}  // namespace aurite::config::detail
