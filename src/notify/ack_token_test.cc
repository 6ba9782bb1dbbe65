#include "notify/ack_token.h"

#include <gtest/gtest.h>

namespace tocsin::notify {
namespace {

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1'795'000'000;

TEST(AckTokenTest, ATokenNamesItsIncidentUntilItExpires) {
  const std::string token = MakeAckToken(kKey, 42, kNow + 60);
  auto id = VerifyAckToken(kKey, token, kNow);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, 42);
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);  // safe in a URL as it is
  auto late = VerifyAckToken(kKey, token, kNow + 61);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message, "this acknowledgement link has expired");
}

TEST(AckTokenTest, ForgedOrAlteredTokensAreRefused) {
  const std::string token = MakeAckToken(kKey, 42, kNow + 60);
  EXPECT_FALSE(VerifyAckToken("another key", token, kNow).ok());
  for (size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(VerifyAckToken(kKey, altered, kNow).ok()) << "changed at " << i;
  }
  // Another incident's id (its first 11 characters hold the id) with this signature.
  const std::string other = MakeAckToken(kKey, 43, kNow + 60);
  EXPECT_FALSE(VerifyAckToken(kKey, other.substr(0, 11) + token.substr(11), kNow).ok());
  EXPECT_FALSE(VerifyAckToken(kKey, "", kNow).ok());
  EXPECT_FALSE(VerifyAckToken(kKey, "not base64!", kNow).ok());
}

}  // namespace
}  // namespace tocsin::notify
