#include "notify/ack_token.h"

#include "core/crypto.h"

namespace tocsin::notify {
namespace {

constexpr size_t kMacBytes = 16;  // 128 bits of HMAC-SHA256: plenty against forgery
constexpr std::string_view kContext = "tocsin-ack-v1:";

void PutU64(uint64_t v, std::string& out) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
std::string Mac(std::string_view key, std::string_view body) {
  return HmacSha256(key, std::string(kContext) + std::string(body)).substr(0, kMacBytes);
}

}  // namespace

std::string MakeAckToken(std::string_view key, int64_t incident_id, int64_t expires_unix_s) {
  std::string body;
  PutU64(static_cast<uint64_t>(incident_id), body);
  PutU64(static_cast<uint64_t>(expires_unix_s), body);
  return Base64UrlEncode(body + Mac(key, body));
}

Result<int64_t> VerifyAckToken(std::string_view key, std::string_view token, int64_t now_unix_s) {
  auto raw = Base64UrlDecode(token);
  // Only the canonical spelling: base64's spare bits could otherwise give one
  // token several spellings.
  if (!raw || raw->size() != 16 + kMacBytes || Base64UrlEncode(*raw) != token) {
    return InvalidArgument("this acknowledgement link is malformed");
  }
  const std::string_view body = std::string_view(*raw).substr(0, 16);
  if (!ConstantTimeEquals(Mac(key, body), std::string_view(*raw).substr(16))) {
    return InvalidArgument("this acknowledgement link is not valid");
  }
  const auto expires = static_cast<int64_t>(GetU64(body.substr(8)));
  if (now_unix_s > expires) return InvalidArgument("this acknowledgement link has expired");
  return static_cast<int64_t>(GetU64(body));
}

}  // namespace tocsin::notify
