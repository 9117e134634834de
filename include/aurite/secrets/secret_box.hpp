// secrets/secret_box — sealing secrets at rest with AES-256-GCM (OpenSSL), under a key
// the user controls.
//
// Every sealed value is bound to its name (the name is the additional authenticated
// data), so a ciphertext moved to another name, or changed by one bit, does not open:
// it is refused, never decrypted into garbage. The sealed text names the key it was
// sealed with by a short fingerprint, so "sealed with another key" and "tampered with"
// are told apart in errors. Neither the key nor a plain value ever appears in an error.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace aurite::secrets {

inline constexpr std::size_t kKeyBytes = 32;

class SecretBox {
 public:
  explicit SecretBox(const std::array<std::uint8_t, kKeyBytes>& key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // Printable text ("a1.<key id>.<base64 of nonce | ciphertext | tag>"), a fresh random
  // nonce each time.
  std::string seal(std::string_view name, std::string_view plain) const;

  // The plain value. Throws Error(kUnauthenticated) naming `name` (never the value) when
  // `sealed` is not ours: malformed, sealed with another key, or altered.
  std::string open(std::string_view name, std::string_view sealed) const;

  // The key's fingerprint as it appears in sealed text (8 hex digits); not secret.
  const std::string& key_id() const { return key_id_; }

 private:
  std::array<std::uint8_t, kKeyBytes> key_;
  std::string key_id_;
};

// The key of this installation, from (in this order):
//   AURITE_SECRET_KEY       32 bytes as 64 hex digits or as base64; for several machines
//                           that share one database, set the same value on each;
//   AURITE_SECRET_KEY_FILE  a file holding such a value;
//   `default_file`          the same, created with 32 random bytes and mode 0600 on first use.
// A key file readable by group or others is refused, as ssh refuses such a private key.
// Throws Error(kInvalidConfig) naming the variable or the file when a value is not a key.
std::array<std::uint8_t, kKeyBytes> load_secret_key(const std::filesystem::path& default_file);

// The box of this installation: load_secret_key(user_config_dir() / "secret.key"),
// loaded on the first call (so a process that never needs a secret creates no key) and
// kept for the life of the process; a failure is thrown again by each call.
std::shared_ptr<const SecretBox> default_secret_box();

// True when the key is the key file of this machine (neither AURITE_SECRET_KEY nor
// AURITE_SECRET_KEY_FILE is set): values it seals open only here.
bool secret_key_is_machine_local();

// ${XDG_CONFIG_HOME:-$HOME/.config}/aurite: the user's configuration folder of ours.
std::filesystem::path user_config_dir();

}  // namespace aurite::secrets
