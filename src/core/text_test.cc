#include "core/text.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(TextTest, CaseHelpersTouchOnlyAsciiLetters) {
  EXPECT_EQ(AsciiUppercase("get-\xc3\xa9"), "GET-\xc3\xa9");
  // Bytes >= 0x80 (negative as char) are left alone, where std::toupper
  // would be undefined.
  EXPECT_EQ(AsciiUpper(static_cast<char>(0xe9)), static_cast<char>(0xe9));
  EXPECT_TRUE(AsciiIEquals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(AsciiIEquals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(AsciiIEquals("\xc3\xa9", "\xc3\x89"));  // no Unicode folding
}

TEST(TextTest, SplitListTrimsAndDropsEmptyItems) {
  EXPECT_EQ(SplitList(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_EQ(TrimBlanks("\t x \t"), "x");
}

TEST(TextTest, Utf8PrefixNeverSplitsASequence) {
  const std::string text = "ab\xe2\x82\xac";  // "ab€", the euro sign is 3 bytes
  EXPECT_EQ(Utf8Prefix(text, 5), text);
  EXPECT_EQ(Utf8Prefix(text, 4), "ab");
  EXPECT_EQ(Utf8Prefix(text, 3), "ab");
  EXPECT_EQ(Utf8Prefix(text, 2), "ab");
  EXPECT_EQ(Utf8Prefix(text, 1), "a");
}

}  // namespace
}  // namespace tocsin
