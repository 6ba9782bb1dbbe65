#include "core/duration.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(ParseDuration("250ms").value(), 250'000);
  EXPECT_EQ(ParseDuration("10s").value(), 10'000'000);
  EXPECT_EQ(ParseDuration("5m").value(), 300'000'000);
  EXPECT_EQ(ParseDuration("2h").value(), 7'200'000'000);
  EXPECT_EQ(ParseDuration("40us").value(), 40);
  EXPECT_EQ(ParseDuration("30d").value(), 2'592'000'000'000);
}

TEST(DurationTest, BareNumberIsSeconds) {
  EXPECT_EQ(ParseDuration("30").value(), 30'000'000);
}

TEST(DurationTest, CompoundDurationsAdd) {
  EXPECT_EQ(ParseDuration("1h30m").value(), 5'400'000'000);
}

TEST(DurationTest, RejectsGarbageWithMessage) {
  auto r = ParseDuration("10 parsecs");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("10 parsecs"), std::string::npos);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-5s").ok());
  EXPECT_FALSE(ParseDuration("1m30").ok());
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_FALSE(ParseDuration("99999999999999999h").ok());
}

TEST(DurationTest, FormatsShortestExactSpelling) {
  EXPECT_EQ(FormatDuration(1'500'000), "1500ms");
  EXPECT_EQ(FormatDuration(60'000'000), "1m");
  EXPECT_EQ(FormatDuration(10'000'000), "10s");
  EXPECT_EQ(FormatDuration(7), "7us");
  EXPECT_EQ(FormatDuration(2'592'000'000'000), "30d");
}

TEST(DurationTest, FormatsMillisToATenth) {
  EXPECT_EQ(FormatMillis(1'234), "1.2 ms");
  EXPECT_EQ(FormatMillis(150'049), "150.0 ms");
  EXPECT_EQ(FormatMillis(0), "0.0 ms");
}

}  // namespace
}  // namespace tocsin
