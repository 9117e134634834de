// private_key_jwt client authentication (RFC 7523 §2.2): a short-lived JWT signed with
// the client's private key stands in for a client secret at the token endpoint.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace aurite::mcp::auth {

class SigningKey {
 public:
  // Reads a PEM private key (PKCS#8 or traditional; EC P-256 signs ES256, RSA RS256).
  // Throws Error(kInvalidConfig) naming `where` (never the key) when it is not one.
  static SigningKey from_pem(const std::string& pem, const std::string& where);
  static SigningKey from_file(const std::filesystem::path& file);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const char* algorithm() const { return algorithm_; }  // "ES256" or "RS256"

  // A JWT with iss = sub = `client_id`, aud = `audience`, a fresh jti, iat now and exp a
  // minute later (`now` is a seam for tests).
  std::string client_assertion(const std::string& client_id, const std::string& audience,
                               std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

 private:
  struct Key;
  explicit SigningKey(std::unique_ptr<Key> key, const char* algorithm);
  std::unique_ptr<Key> key_;
  const char* algorithm_;
};

inline constexpr const char* kJwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

}  // namespace aurite::mcp::auth
