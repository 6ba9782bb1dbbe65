#include "report/unsubscribe_token.h"

#include "core/crypto.h"

namespace tocsin::report {
namespace {

constexpr size_t kMacBytes = 16;
constexpr std::string_view kContext = "tocsin-weekly-unsubscribe-v1:";

std::string Mac(std::string_view key, std::string_view body) {
  return HmacSha256(key, std::string(kContext) + std::string(body)).substr(0, kMacBytes);
}

}  // namespace

std::string MakeUnsubscribeToken(std::string_view key, model::UserId user) {
  std::string body;
  for (int i = 7; i >= 0; --i)
    body.push_back(static_cast<char>((static_cast<uint64_t>(user) >> (8 * i)) & 0xff));
  return Base64UrlEncode(body + Mac(key, body));
}

Result<model::UserId> VerifyUnsubscribeToken(std::string_view key, std::string_view token) {
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() != 8 + kMacBytes || Base64UrlEncode(*raw) != token) {
    return InvalidArgument("this unsubscribe link is malformed");
  }
  const std::string_view body = std::string_view(*raw).substr(0, 8);
  if (!ConstantTimeEquals(Mac(key, body), std::string_view(*raw).substr(8))) {
    return InvalidArgument("this unsubscribe link is not valid");
  }
  uint64_t user = 0;
  for (char c : body) user = (user << 8) | static_cast<uint8_t>(c);
  return static_cast<model::UserId>(user);
}

}  // namespace tocsin::report
