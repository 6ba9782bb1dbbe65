// Password rules and hashes, TOTP against RFC 6238's vectors, and the login
// throttle.
#include <gtest/gtest.h>

#include "account/password.h"
#include "account/throttle.h"
#include "account/totp.h"

namespace tocsin::account {
namespace {

constexpr const char* kGood = "vellum orbit quasar tundra 47";

bool Matches(std::string_view hash, std::string_view password) {
  auto r = VerifyPassword(hash, password);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() && *r;
}

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
  auto hash = HashPassword(kGood);
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  // At least OWASP's floor: 19 MiB, 2 passes.
  EXPECT_NE(hash->find("m=65536,t=2,p=1"), std::string::npos) << *hash;
  EXPECT_TRUE(Matches(*hash, kGood));
  EXPECT_FALSE(Matches(*hash, "vellum orbit quasar tundra 48"));
  EXPECT_FALSE(Matches("not a hash", kGood));
  EXPECT_FALSE(Matches("", ""));
  EXPECT_FALSE(NeedsRehash(*hash));
  // A second hash of the same password differs (salted).
  auto again = HashPassword(kGood);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again);
}

TEST(PasswordTest, DummyHashVerifiesNothingUsefully) {
  ASSERT_FALSE(DummyHash().empty());
  EXPECT_FALSE(Matches(DummyHash(), kGood));
  EXPECT_FALSE(Matches(DummyHash(), ""));
}

TEST(PasswordTest, PastItsSlotsHashingAnswersBusyAtOnceInsteadOfQueueing) {
  auto hash = HashPassword(kGood);
  ASSERT_TRUE(hash.ok());
  SetPasswordSlots(1);
  {
    auto held = PasswordSlot::Take();
    ASSERT_TRUE(held.has_value());
    EXPECT_FALSE(PasswordSlot::Take().has_value());
    auto busy = VerifyPassword(*hash, kGood);
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(HashPassword(kGood).error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(CheckPassword(*hash, kGood, "password").error().code, ErrorCode::kUnavailable);
    // A slot moved is still one slot.
    PasswordSlot moved = std::move(*held);
    EXPECT_FALSE(PasswordSlot::Take().has_value());
  }
  // Released: the next check runs.
  EXPECT_TRUE(Matches(*hash, kGood));
  EXPECT_TRUE(CheckPassword(*hash, kGood, "password").ok());
  EXPECT_EQ(CheckPassword(*hash, "wrong wrong wrong wrong", "current_password").error().field,
            "current_password");
  SetPasswordSlots(2);
}

TEST(PasswordTest, NewPasswordRules) {
  EXPECT_TRUE(CheckNewPassword(kGood, false, {}).ok());
  // Length: 15 characters without a second factor, 8 with one; characters,
  // not bytes.
  auto short_one = CheckNewPassword("Zq8#vLm2!xR4", false, {});
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().field, "password");
  EXPECT_NE(short_one.error().message.find("15"), std::string::npos);
  EXPECT_TRUE(CheckNewPassword("Zq8#vLm2!xR4", true, {}).ok());
  EXPECT_TRUE(CheckNewPassword("\xc3\xa9t\xc3\xa9 \xc3\xa0 Zq8#vLm2!xR4", false, {}).ok())
      << "15 characters, some of two bytes";
  // Long passphrases are taken, up to 1024 bytes.
  EXPECT_TRUE(CheckNewPassword(std::string(64, 'a') + kGood, false, {}).ok());
  EXPECT_FALSE(CheckNewPassword(std::string(1025, 'x') + kGood, false, {}).ok());
  // Common, guessable, or the user's own details.
  EXPECT_FALSE(CheckNewPassword("passwordpassword", false, {}).ok());
  EXPECT_FALSE(CheckNewPassword("123456789012345", false, {}).ok());
  EXPECT_FALSE(CheckNewPassword("qwertyuiopasdfgh", false, {}).ok());
  EXPECT_FALSE(CheckNewPassword("aaaaaaaaaaaaaaaaaaaa", false, {}).ok());
  EXPECT_FALSE(CheckNewPassword("margaretthatcher1", false, {"Margaret", "thatcher1"}).ok());
  EXPECT_FALSE(CheckNewPassword(std::string("abcdefgh\0ijklmnopq", 18) + kGood, false, {}).ok());
  // No composition rules: lower-case words are fine when long enough.
  EXPECT_TRUE(CheckNewPassword("staple lantern grumpy orchid", false, {}).ok());
}

TEST(TotpTest, MatchesRfc6238Vectors) {
  const std::string secret = "12345678901234567890";  // RFC 6238 appendix B, SHA-1
  EXPECT_EQ(TotpCode(secret, 59), "287082");
  EXPECT_EQ(TotpCode(secret, 1111111109), "081804");
  EXPECT_EQ(TotpCode(secret, 1234567890), "005924");
  EXPECT_EQ(TotpCode(secret, 2000000000), "279037");
}

TEST(TotpTest, AcceptsAdjacentStepsOnceEach) {
  const std::string secret = NewTotpSecret();
  const int64_t now = 1'700'000'000;
  int64_t step = 0;
  EXPECT_TRUE(VerifyTotp(secret, TotpCode(secret, now), now, 0, &step));
  EXPECT_EQ(step, now / kTotpStepSeconds);
  // Used: not again, nor an older step.
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, now), now, step, &step));
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, now - 30), now, now / 30, &step));
  // Clock drift of one step either way.
  EXPECT_TRUE(VerifyTotp(secret, TotpCode(secret, now - 30), now, 0, &step));
  EXPECT_TRUE(VerifyTotp(secret, TotpCode(secret, now + 30), now, 0, &step));
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, now + 90), now, 0, &step));
  EXPECT_FALSE(VerifyTotp(secret, "12345", now, 0, &step));
  EXPECT_FALSE(VerifyTotp(secret, "abcdef", now, 0, &step));
}

TEST(TotpTest, Base32AndUri) {
  EXPECT_EQ(Base32("foobar"), "MZXW6YTBOI");  // RFC 4648, padding dropped
  const std::string uri = TotpUri("12345678901234567890", "a b@example.com");
  EXPECT_TRUE(
      uri.starts_with("otpauth://totp/Tocsin:a%20b%40example.com?secret="
                      "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
      << uri;
  const auto codes = NewRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  EXPECT_EQ(codes[0].size(), 11u);
  EXPECT_EQ(codes[0][5], '-');
  EXPECT_NE(codes[0], codes[1]);
}

TEST(ThrottleTest, RefusesPastTheLimitUntilTheWindowSlides) {
  Throttle t(3, 60'000);
  EXPECT_EQ(t.WaitMs("k", 0), 0);
  t.Failed("k", 0);
  t.Failed("k", 10'000);
  EXPECT_EQ(t.WaitMs("k", 10'000), 0);
  t.Failed("k", 20'000);
  EXPECT_EQ(t.WaitMs("k", 20'000), 40'000);  // the first failure leaves at 60 s
  EXPECT_EQ(t.WaitMs("other", 20'000), 0);
  EXPECT_EQ(t.WaitMs("k", 60'000), 0);
  t.Failed("k", 60'000);
  EXPECT_GT(t.WaitMs("k", 60'000), 0);
  t.Succeeded("k");
  EXPECT_EQ(t.WaitMs("k", 60'000), 0);
}

}  // namespace
}  // namespace tocsin::account
