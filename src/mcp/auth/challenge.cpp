// challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]   (RFC 9110 §11.6.1)
// auth-param = token BWS "=" BWS ( token / quoted-string )
// Several challenges may share one header, separated by commas like their params, so a
// token that is not followed by '=' starts the next challenge.
#include "mcp/auth/challenge.hpp"

#include <cctype>

#include "aurite/common/text.hpp"

namespace aurite::mcp::auth {
namespace {

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() {
    skip_blanks();
    return pos_ >= text_.size();
  }
  void skip_blanks() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool take(char c) {
    skip_blanks();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string_view token() {
    skip_blanks();
    const auto start = pos_;
    while (pos_ < text_.size() && is_token_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // A token68 may end in '=' padding; a param name is followed by '=' and a value.
  bool next_is_param() {
    const auto saved = pos_;
    const bool named = !token().empty() && take('=') && !(pos_ < text_.size() && text_[pos_] == '=');
    pos_ = saved;
    return named;
  }
  std::optional<std::string> value() {
    skip_blanks();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      std::string out;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        out += text_[pos_++];
      }
      if (pos_ >= text_.size()) return std::nullopt;  // unterminated
      ++pos_;
      return out;
    }
    const auto token_value = token();
    if (token_value.empty()) return std::nullopt;
    return std::string(token_value);
  }
  bool peek(char c) {
    skip_blanks();
    return pos_ < text_.size() && text_[pos_] == c;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> BearerChallenge::param(const std::string& name) const {
  const auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header) {
  Scanner scanner(header);
  while (!scanner.done()) {
    if (scanner.take(',')) continue;
    const std::string scheme = to_lower(scanner.token());
    if (scheme.empty()) return std::nullopt;
    BearerChallenge challenge;
    // A token68 (Basic's credentials, say) follows the scheme without a comma.
    if (!scanner.done() && !scanner.peek(',') && !scanner.next_is_param()) {
      scanner.token();
      while (scanner.take('=')) {
      }
    }
    // The challenge's params, up to the next scheme.
    for (;;) {
      while (scanner.take(',')) {
      }
      if (scanner.done() || !scanner.next_is_param()) break;
      const std::string name = to_lower(scanner.token());
      scanner.take('=');
      auto value = scanner.value();
      if (!value) break;
      challenge.params.emplace(name, std::move(*value));
    }
    if (scheme == "bearer") return challenge;
  }
  return std::nullopt;
}

}  // namespace aurite::mcp::auth
