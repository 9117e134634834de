// private_key_jwt assertions verify with the public half of the key, carry the claims
// RFC 7523 asks for, and keys that cannot sign them are refused by name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"
#include "mcp/auth/client_assertion.hpp"

namespace aurite::mcp::auth {
namespace {

using ::testing::HasSubstr;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key generate(const char* type, const char* curve_or_null) {
  EVP_PKEY* key = curve_or_null ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve_or_null)
                                : EVP_PKEY_Q_keygen(nullptr, nullptr, type, static_cast<size_t>(2048));
  return Key(key);
}

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return out;
}

std::vector<std::string> parts(const std::string& jwt) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot; (dot = jwt.find('.', start)) != std::string::npos; start = dot + 1) {
    out.push_back(jwt.substr(start, dot - start));
  }
  out.push_back(jwt.substr(start));
  return out;
}

// Verifies r || s the way a JOSE library does: rebuilt as DER for OpenSSL.
bool verifies_es256(EVP_PKEY* key, const std::string& input, const std::string& jose) {
  if (jose.size() != 64) return false;
  ECDSA_SIG* signature = ECDSA_SIG_new();
  ECDSA_SIG_set0(signature, BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(signature, &der);
  ECDSA_SIG_free(signature);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestVerify(context, der, static_cast<std::size_t>(der_length),
                                   reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(context);
  OPENSSL_free(der);
  return ok;
}

TEST(ClientAssertion, Es256VerifiesAndCarriesTheClaims) {
  const Key key = generate("EC", "P-256");
  const SigningKey signer = SigningKey::from_pem(pem_of(key.get()), "the test key");
  EXPECT_STREQ(signer.algorithm(), "ES256");
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const std::string jwt = signer.client_assertion("client-1", "https://as.example", now);
  const auto pieces = parts(jwt);
  ASSERT_EQ(pieces.size(), 3u);
  const auto header = nlohmann::json::parse(*secrets::base64_decode(pieces[0]));
  const auto claims = nlohmann::json::parse(*secrets::base64_decode(pieces[1]));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(claims["iss"], "client-1");
  EXPECT_EQ(claims["sub"], "client-1");
  EXPECT_EQ(claims["aud"], "https://as.example");
  EXPECT_EQ(claims["iat"], 1'800'000'000);
  EXPECT_EQ(claims["exp"], 1'800'000'060);
  EXPECT_FALSE(claims["jti"].get<std::string>().empty());
  EXPECT_TRUE(verifies_es256(key.get(), pieces[0] + "." + pieces[1], *secrets::base64_decode(pieces[2])));
  // Each assertion is its own (a fresh jti).
  EXPECT_NE(parts(signer.client_assertion("client-1", "https://as.example", now))[1], pieces[1]);
}

TEST(ClientAssertion, RsaKeysSignRs256) {
  const Key key = generate("RSA", nullptr);
  const SigningKey signer = SigningKey::from_pem(pem_of(key.get()), "the test key");
  EXPECT_STREQ(signer.algorithm(), "RS256");
  const auto pieces = parts(signer.client_assertion("c", "https://as.example"));
  const std::string signature = *secrets::base64_decode(pieces[2]);
  const std::string input = pieces[0] + "." + pieces[1];
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key.get()), 1);
  EXPECT_EQ(EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(context);
}

TEST(ClientAssertion, RefusesWhatIsNotAUsableKey) {
  try {
    SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", "the file k.pem");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("the file k.pem does not hold a PEM private key"));
  }
  const Key other_curve = generate("EC", "P-384");
  try {
    SigningKey::from_pem(pem_of(other_curve.get()), "the file k.pem");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("must be on P-256"));
  }
}

}  // namespace
}  // namespace aurite::mcp::auth
