// Sealing with AES-256-GCM: a 96-bit random nonce per value, the name as additional
// authenticated data, the 128-bit tag checked before a byte of plain text is returned.
#include "aurite/secrets/secret_box.hpp"

#include <memory>
#include <vector>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/encoding.hpp"

namespace aurite::secrets {
namespace {

constexpr std::string_view kFormat = "a1";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

CipherContext new_context() {
  CipherContext context(EVP_CIPHER_CTX_new());
  if (!context) throw Error(ErrorCode::kInternal, "secrets: EVP_CIPHER_CTX_new failed");
  return context;
}

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

Error not_ours(std::string_view name, std::string_view why) {
  return Error(ErrorCode::kUnauthenticated, fmt::format("the stored secret '{}' {}", name, why));
}

}  // namespace

SecretBox::SecretBox(const std::array<std::uint8_t, kKeyBytes>& key) : key_(key) {
  const std::string digest = sha256(std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()));
  key_id_ = to_hex(std::string_view(digest).substr(0, 4));
}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string SecretBox::seal(std::string_view name, std::string_view plain) const {
  std::string out(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1) {
    throw Error(ErrorCode::kInternal, "secrets: the random generator failed");
  }
  auto context = new_context();
  int length = 0;
  auto* cipher_text = nonce + kNonceBytes;
  const bool sealed =
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
      EVP_EncryptUpdate(context.get(), nullptr, &length, bytes(name), static_cast<int>(name.size())) == 1 &&
      EVP_EncryptUpdate(context.get(), cipher_text, &length, bytes(plain), static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(context.get(), cipher_text + length, &length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          cipher_text + plain.size()) == 1;
  if (!sealed) throw Error(ErrorCode::kInternal, fmt::format("secrets: sealing '{}' failed", name));
  return fmt::format("{}.{}.{}", kFormat, key_id_, base64_encode(out));
}

std::string SecretBox::open(std::string_view name, std::string_view sealed) const {
  const auto first = sealed.find('.');
  const auto second = first == std::string_view::npos ? first : sealed.find('.', first + 1);
  if (second == std::string_view::npos || sealed.substr(0, first) != kFormat) {
    throw not_ours(name, "is not in a form we seal (damaged?)");
  }
  const std::string_view key_id = sealed.substr(first + 1, second - first - 1);
  if (key_id != key_id_) {
    throw not_ours(name, fmt::format("was sealed with another key (key {}, ours is {}): set AURITE_SECRET_KEY to "
                                     "the key it was sealed with, or log in again",
                                     key_id, key_id_));
  }
  const auto raw = base64_decode(sealed.substr(second + 1));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) throw not_ours(name, "is not in a form we seal (damaged?)");
  const auto* nonce = bytes(*raw);
  const std::size_t text_size = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(text_size, '\0');
  auto context = new_context();
  int length = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  // The tag is set before the final step, which fails when it does not match.
  std::string tag = raw->substr(kNonceBytes + text_size);
  const bool opened =
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
      EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(name), static_cast<int>(name.size())) == 1 &&
      EVP_DecryptUpdate(context.get(), out, &length, nonce + kNonceBytes, static_cast<int>(text_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) == 1 &&
      EVP_DecryptFinal_ex(context.get(), out + length, &length) == 1;
  if (!opened) {
    OPENSSL_cleanse(plain.data(), plain.size());
    throw not_ours(name, "does not open with our key: it was altered, or belongs to another name");
  }
  return plain;
}

}  // namespace aurite::secrets
