// JWS compact serialisation (RFC 7515) with ES256 or RS256. OpenSSL signs ECDSA in DER;
// a JWS wants the two integers side by side, 32 bytes each (RFC 7518 §3.4).
#include "mcp/auth/client_assertion.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"

namespace aurite::mcp::auth {

struct SigningKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct SignatureFree {
  void operator()(ECDSA_SIG* signature) const { ECDSA_SIG_free(signature); }
};

// DER ECDSA-Sig-Value to r || s, each left-padded to 32 bytes.
std::string der_to_jose(const std::string& der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, SignatureFree> signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!signature) throw Error(ErrorCode::kInternal, "the ES256 signature is not DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  std::string out(64, '\0');
  if (BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), 32) != 32 ||
      BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + 32, 32) != 32) {
    throw Error(ErrorCode::kInternal, "the ES256 signature does not fit 64 bytes");
  }
  return out;
}

}  // namespace

SigningKey::SigningKey(std::unique_ptr<Key> key, const char* algorithm) : key_(std::move(key)), algorithm_(algorithm) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::from_pem(const std::string& pem, const std::string& where) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  auto key = std::make_unique<Key>();
  if (bio) key->pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key->pkey == nullptr) {
    throw Error(ErrorCode::kInvalidConfig, where + " does not hold a PEM private key (unencrypted PKCS#8, EC or RSA)");
  }
  if (EVP_PKEY_is_a(key->pkey, "EC")) {
    char group[64] = {0};
    std::size_t length = 0;
    EVP_PKEY_get_utf8_string_param(key->pkey, "group", group, sizeof group, &length);
    if (std::string(group) != "prime256v1") {
      throw Error(ErrorCode::kInvalidConfig, where + ": an EC key must be on P-256 (ES256); this one is on " +
                                                 (length == 0 ? std::string("an unnamed curve") : std::string(group)));
    }
    return SigningKey(std::move(key), "ES256");
  }
  if (EVP_PKEY_is_a(key->pkey, "RSA")) return SigningKey(std::move(key), "RS256");
  throw Error(ErrorCode::kInvalidConfig, where + ": only EC P-256 (ES256) and RSA (RS256) keys sign client assertions");
}

SigningKey SigningKey::from_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInvalidConfig, "the private key file " + file.string() + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return from_pem(text.str(), "the private key file " + file.string());
}

std::string SigningKey::client_assertion(const std::string& client_id, const std::string& audience,
                                         std::chrono::system_clock::time_point now) const {
  const auto issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const nlohmann::json header = {{"alg", algorithm_}, {"typ", "JWT"}};
  const nlohmann::json claims = {{"iss", client_id},   {"sub", client_id},       {"aud", audience},
                                 {"iat", issued},      {"exp", issued + 60},
                                 {"jti", secrets::base64url_encode(secrets::random_bytes(16))}};
  const std::string input = secrets::base64url_encode(header.dump()) + "." + secrets::base64url_encode(claims.dump());
  std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  std::size_t length = 0;
  const bool sized = context && EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
                     EVP_DigestSign(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                                    input.size()) == 1;
  std::string signature(length, '\0');
  if (!sized || EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                               reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw Error(ErrorCode::kInternal, "signing the client assertion failed");
  }
  signature.resize(length);
  if (std::string_view(algorithm_) == "ES256") signature = der_to_jose(signature);
  return input + "." + secrets::base64url_encode(signature);
}

}  // namespace aurite::mcp::auth
