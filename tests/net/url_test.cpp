// URLs as OAuth discovery and redirects use them: origins, relative Locations, forms.
#include <gtest/gtest.h>

#include "aurite/net/url.hpp"

namespace aurite::net {
namespace {

TEST(Url, ParsesTheParts) {
  const auto url = parse_url("HTTPS://Example.COM:8443/a/b?x=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->origin(), "https://example.com:8443");
  EXPECT_EQ(url->path, "/a/b");
  EXPECT_EQ(url->query, "x=1");
  EXPECT_EQ(parse_url("http://localhost")->path, "/");
  EXPECT_EQ(parse_url("http://localhost")->origin(), "http://localhost");
  EXPECT_FALSE(parse_url("ftp://example.com/"));
  EXPECT_FALSE(parse_url("/relative"));
  EXPECT_FALSE(parse_url("not a url"));
}

TEST(Url, ResolvesLocationsAgainstTheirBase) {
  EXPECT_EQ(resolve_url("http://as.example/authorize?x", "/callback?code=1"), "http://as.example/callback?code=1");
  EXPECT_EQ(resolve_url("http://as.example/a/b", "c"), "http://as.example/a/c");
  EXPECT_EQ(resolve_url("http://as.example/a", "http://127.0.0.1:9/cb"), "http://127.0.0.1:9/cb");
  EXPECT_FALSE(resolve_url("http://as.example/a", "javascript:alert(1)"));
}

TEST(Url, FormsRoundTrip) {
  const FormFields fields = {{"redirect_uri", "http://127.0.0.1:80/callback"}, {"scope", "a b"}, {"x", "&=+%"}};
  const std::string encoded = form_encode(fields);
  EXPECT_EQ(encoded, "redirect_uri=http%3A%2F%2F127.0.0.1%3A80%2Fcallback&scope=a%20b&x=%26%3D%2B%25");
  EXPECT_EQ(form_decode(encoded), fields);
  EXPECT_EQ(form_value(form_decode("a=1&b=2&a=3"), "a"), "1");
  EXPECT_EQ(form_value(form_decode("flag&b="), "flag"), "");
  EXPECT_FALSE(form_value(form_decode(""), "a"));
}

TEST(Url, PercentDecodingKeepsWhatIsNotAnEscape) {
  EXPECT_EQ(percent_decode("a+b%41%zz%4"), "a bA%zz%4");
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%-1"), "%-1");
}

}  // namespace
}  // namespace aurite::net
