#include "account/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/crypto.h"

namespace tocsin::account {
namespace {

constexpr size_t kSecretBytes = 20;
constexpr int kRecoveryCodes = 10;
constexpr std::string_view kRecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";  // no 0/o, 1/l/i

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() {
  return RandomBytes(kSecretBytes);
}

std::string Base32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::string TotpCode(std::string_view secret, int64_t unix_seconds) {
  const uint64_t step = static_cast<uint64_t>(unix_seconds / kTotpStepSeconds);
  unsigned char counter[8];
  for (int i = 7; i >= 0; --i) counter[7 - i] = static_cast<unsigned char>(step >> (8 * i));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter, sizeof(counter), mac,
       &size);
  const int offset = mac[size - 1] & 0x0f;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::string code = std::to_string(binary % 1'000'000);
  return std::string(kTotpDigits - code.size(), '0') + code;
}

bool VerifyTotp(std::string_view secret, std::string_view code, int64_t unix_seconds,
                int64_t last_used_step, int64_t* step) {
  if (code.size() != kTotpDigits) return false;
  const int64_t now_step = unix_seconds / kTotpStepSeconds;
  for (int64_t s = now_step - 1; s <= now_step + 1; ++s) {
    if (s <= last_used_step) continue;
    if (ConstantTimeEquals(TotpCode(secret, s * kTotpStepSeconds), code)) {
      *step = s;
      return true;
    }
  }
  return false;
}

std::string TotpUri(std::string_view secret, std::string_view account) {
  return "otpauth://totp/Tocsin:" + UrlEncode(account) + "?secret=" + Base32(secret) +
         "&issuer=Tocsin&algorithm=SHA1&digits=6&period=30";
}

std::vector<std::string> NewRecoveryCodes() {
  // Bytes at or above the largest multiple of the alphabet's size are drawn
  // again, so every character is equally likely (no modulo bias).
  const size_t n = kRecoveryAlphabet.size();
  const unsigned limit = static_cast<unsigned>(256 / n * n);
  std::vector<std::string> codes;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    std::string code;
    while (code.size() < 11) {
      for (unsigned char b : RandomBytes(16)) {
        if (b >= limit) continue;
        if (code.size() == 5) code += '-';
        code += kRecoveryAlphabet[b % n];
        if (code.size() == 11) break;
      }
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

}  // namespace tocsin::account
