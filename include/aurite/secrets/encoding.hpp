// secrets/encoding — the byte encodings, digests and random values credentials are made
// of (OpenSSL's libcrypto underneath): base64 in both alphabets, hex, SHA-256.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace aurite::secrets {

std::string base64_encode(std::string_view bytes);       // with padding
std::string base64url_encode(std::string_view bytes);    // RFC 4648 §5, without padding
// Either alphabet, padding optional; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);
std::string to_hex(std::string_view bytes);              // lower case
std::optional<std::string> from_hex(std::string_view text);
std::string sha256(std::string_view bytes);              // 32 raw bytes
// `count` bytes from the system's cryptographically secure generator.
std::string random_bytes(std::size_t count);

}  // namespace aurite::secrets
