// The few cryptographic primitives Tocsin needs, over OpenSSL: HMAC-SHA256
// (signed acknowledgement links, Standard Webhooks signatures), SHA-256,
// base64 (standard and URL-safe), and random bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string Sha256(std::string_view data);                            // 32 raw bytes
std::string Hex(std::string_view bytes);                              // lowercase

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);
// RFC 4648 section 5, without padding: for tokens in URLs.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Equality of secrets in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `n` bytes from the kernel's CSPRNG; throws std::runtime_error if it fails
// (it does not on Linux once booted).
std::string RandomBytes(size_t n);

}  // namespace tocsin
