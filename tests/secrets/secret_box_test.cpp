// Sealing: what goes in comes out only with the same key and name; anything altered,
// moved or sealed under another key is refused with kUnauthenticated, never opened.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"
#include "aurite/secrets/secret_box.hpp"
#include "storage/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace aurite::secrets {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::array<std::uint8_t, kKeyBytes> key_of(std::uint8_t fill) {
  std::array<std::uint8_t, kKeyBytes> key{};
  key.fill(fill);
  return key;
}

template <typename Body>
Error error_of(Body body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no aurite::Error was thrown";
  return Error(ErrorCode::kInternal, "none");
}

TEST(SecretBox, OpensWhatItSealedAndNeverShowsThePlainText) {
  const SecretBox box(key_of(7));
  const std::string sealed = box.seal("mcp-oauth/notion", "access-token-value");
  EXPECT_THAT(sealed, Not(HasSubstr("access-token-value")));
  EXPECT_THAT(sealed, HasSubstr(box.key_id()));
  EXPECT_EQ(box.open("mcp-oauth/notion", sealed), "access-token-value");
  // A fresh nonce each time: the same value never seals to the same text.
  EXPECT_NE(box.seal("mcp-oauth/notion", "access-token-value"), sealed);
}

TEST(SecretBox, RefusesEveryAlteredByte) {
  const SecretBox box(key_of(7));
  const std::string sealed = box.seal("name", "a secret that is long enough to matter");
  const auto body_start = sealed.rfind('.') + 1;
  for (std::size_t i = body_start; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    const Error error = error_of([&] { box.open("name", altered); });
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated) << "byte " << i;
    EXPECT_THAT(error.what(), Not(HasSubstr("a secret")));
  }
}

TEST(SecretBox, RefusesAValueMovedToAnotherName) {
  const SecretBox box(key_of(7));
  const Error error = error_of([&] { box.open("mcp-oauth/b", box.seal("mcp-oauth/a", "token")); });
  EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(error.what(), HasSubstr("mcp-oauth/b"));
  EXPECT_THAT(error.what(), HasSubstr("altered, or belongs to another name"));
}

TEST(SecretBox, SaysSoWhenAnotherKeySealedIt) {
  const SecretBox ours(key_of(7));
  const SecretBox theirs(key_of(8));
  const Error error = error_of([&] { ours.open("name", theirs.seal("name", "token")); });
  EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(error.what(), HasSubstr("sealed with another key (key " + theirs.key_id()));
  EXPECT_THAT(error.what(), HasSubstr("AURITE_SECRET_KEY"));
}

TEST(SecretBox, RefusesTextThatIsNotSealed) {
  const SecretBox box(key_of(7));
  for (const std::string& text : std::vector<std::string>{"", "plain", "a1.x", "a1." + box.key_id() + ".###",
                                                            "b2." + box.key_id() + ".AAAA"}) {
    EXPECT_EQ(error_of([&] { box.open("name", text); }).code(), ErrorCode::kUnauthenticated) << text;
  }
}

TEST(SecretKey, ComesFromTheVariableAsHexOrBase64) {
  testing::TempDir dir;
  testing::ScopedEnv env;
  env.unset("AURITE_SECRET_KEY_FILE");
  {
    env.set("AURITE_SECRET_KEY", std::string(64, 'a'));
    const auto loaded = load_secret_key(dir / "unused.key");
    EXPECT_EQ(loaded[0], 0xaa);
    EXPECT_FALSE(std::filesystem::exists(dir / "unused.key"));
  }
  {
    env.set("AURITE_SECRET_KEY", base64_encode(std::string(32, '\x01')));
    EXPECT_EQ(load_secret_key(dir / "unused.key")[31], 1);
  }
  env.set("AURITE_SECRET_KEY", "not-a-key");
  const Error error = error_of([&] { load_secret_key(dir / "unused.key"); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
  EXPECT_THAT(error.what(), HasSubstr("AURITE_SECRET_KEY does not hold a secret key"));
  EXPECT_THAT(error.what(), Not(HasSubstr("not-a-key")));
}

TEST(SecretKey, IsCreatedOnceWithMode0600AndReadAgain) {
  testing::TempDir dir;
  testing::ScopedEnv env;
  env.unset("AURITE_SECRET_KEY").unset("AURITE_SECRET_KEY_FILE");
  const auto file = dir / "config" / "secret.key";
  const auto first = load_secret_key(file);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(load_secret_key(file), first);
}

TEST(SecretKey, RefusesAKeyFileOthersMayRead) {
  testing::TempDir dir;
  const auto file = dir.write("shared.key", std::string(64, 'b') + "\n");
  ::chmod(file.c_str(), 0644);
  testing::ScopedEnv env;
  env.unset("AURITE_SECRET_KEY").set("AURITE_SECRET_KEY_FILE", file.string());
  const Error error = error_of([&] { load_secret_key(dir / "unused.key"); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
  EXPECT_THAT(error.what(), HasSubstr("may be read by others (mode 644)"));
  EXPECT_THAT(error.what(), HasSubstr("chmod 600 " + file.string()));
}

TEST(Encoding, Base64BothAlphabetsAndHexRoundTrip) {
  const std::string bytes = std::string("\x00\xff\xfe\x10 abc", 8);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  EXPECT_EQ(base64_decode(base64url_encode(bytes)), bytes);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(from_hex(to_hex(bytes)), bytes);
  EXPECT_FALSE(base64_decode("ab$d").has_value());
  EXPECT_FALSE(from_hex("abc").has_value());
  // The PKCE example of RFC 7636 appendix B.
  EXPECT_EQ(base64url_encode(sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace aurite::secrets
