#include "aurite/net/url.hpp"

#include <curl/curl.h>

#include <cctype>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "aurite/common/text.hpp"

namespace aurite::net {
namespace {

struct UrlHandleFree {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlHandleFree>;

std::string part(CURLU* handle, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(handle, which, &text, flags) != CURLUE_OK || text == nullptr) return {};
  std::string out(text);
  curl_free(text);
  return out;
}

bool is_http(const std::string& scheme) { return scheme == "http" || scheme == "https"; }

}  // namespace

std::string Url::origin() const { return scheme + "://" + host + (port.empty() ? "" : ":" + port); }

std::optional<Url> parse_url(std::string_view text) {
  UrlHandle handle(curl_url());
  if (!handle) return std::nullopt;
  const std::string owned(text);
  if (curl_url_set(handle.get(), CURLUPART_URL, owned.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return std::nullopt;
  }
  Url url;
  url.scheme = to_lower(part(handle.get(), CURLUPART_SCHEME));
  if (!is_http(url.scheme)) return std::nullopt;
  url.host = to_lower(part(handle.get(), CURLUPART_HOST));
  if (url.host.empty()) return std::nullopt;
  url.port = part(handle.get(), CURLUPART_PORT);
  url.path = part(handle.get(), CURLUPART_PATH);
  if (url.path.empty()) url.path = "/";
  url.query = part(handle.get(), CURLUPART_QUERY);
  return url;
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference) {
  UrlHandle handle(curl_url());
  if (!handle) return std::nullopt;
  const std::string owned_base(base);
  const std::string owned_reference(reference);
  if (curl_url_set(handle.get(), CURLUPART_URL, owned_base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, owned_reference.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  std::string out = part(handle.get(), CURLUPART_URL);
  const auto parsed = parse_url(out);
  if (!parsed) return std::nullopt;
  return out;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned byte = 0;
    const auto hex = text[i] == '%' && i + 2 < text.size() ? text.substr(i + 1, 2) : std::string_view();
    if (hex.size() == 2 && std::from_chars(hex.data(), hex.data() + 2, byte, 16).ptr == hex.data() + 2) {
      out += static_cast<char>(byte);
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::string form_encode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

FormFields form_decode(std::string_view text) {
  FormFields out;
  while (!text.empty()) {
    const auto end = text.find('&');
    const std::string_view pair = text.substr(0, end);
    if (!pair.empty()) {
      const auto equals = pair.find('=');
      out.emplace_back(percent_decode(pair.substr(0, equals)),
                       equals == std::string_view::npos ? std::string() : percent_decode(pair.substr(equals + 1)));
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

std::optional<std::string> form_value(const FormFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace aurite::net
