// How commands print: aligned tables for people, JSON for scripts (--json).
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace aurite::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  // Columns padded to their widest cell; the last column is not padded.
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Comma-separated, or "-" for none: how lists show in a table cell.
std::string join_or_dash(const std::vector<std::string>& items);

void print_json(std::ostream& out, const nlohmann::json& value);

}  // namespace aurite::cli
