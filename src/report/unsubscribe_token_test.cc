#include "report/unsubscribe_token.h"

#include <gtest/gtest.h>

namespace tocsin::report {
namespace {

TEST(UnsubscribeToken, RoundTripsAndRefusesForgeries) {
  const std::string token = MakeUnsubscribeToken("key", 42);
  auto user = VerifyUnsubscribeToken("key", token);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, 42);
  EXPECT_FALSE(VerifyUnsubscribeToken("other key", token).ok());
  EXPECT_NE(MakeUnsubscribeToken("key", 43), token);
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyUnsubscribeToken("key", tampered).ok());
  EXPECT_FALSE(VerifyUnsubscribeToken("key", "").ok());
  EXPECT_FALSE(VerifyUnsubscribeToken("key", token + "A").ok());
}

}  // namespace
}  // namespace tocsin::report
