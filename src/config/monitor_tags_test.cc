// A monitor's tags in the config file: a list of words, kept sorted and
// once each; the same rules as the API's (model::NormalizeTags), and an
// error naming the line otherwise.
#include <gtest/gtest.h>

#include "config/config.h"

namespace tocsin::config {
namespace {

Result<Config> Parse(std::string_view yaml) {
  return ParseConfig(yaml, "tocsin.yaml", EnvironmentFromMap({}));
}

TEST(MonitorTagsTest, AListOfWordsIsKeptSortedOnceEach) {
  auto config =
      Parse("monitors:\n  - name: a\n    url: https://example.com/\n    tags: [web, eu, web]\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->monitors[0].tags, (std::vector<std::string>{"eu", "web"}));
  auto none = Parse("monitors:\n  - name: a\n    url: https://example.com/\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->monitors[0].tags.empty());
}

TEST(MonitorTagsTest, BadTagsAreRefusedWithTheirLine) {
  for (const char* tags :
       {"web", "[\"a,b\"]", "[\"\"]", "[[a]]", "[a, b, c, d, e, f, g, h, i, j, k]"}) {
    auto config = Parse(std::string("monitors:\n  - name: a\n    url: https://example.com/\n"
                                    "    tags: ") +
                        tags + "\n");
    ASSERT_FALSE(config.ok()) << tags;
    EXPECT_NE(config.error().message.find("tocsin.yaml:4:"), std::string::npos)
        << tags << ": " << config.error().message;
    EXPECT_NE(config.error().message.find("tags"), std::string::npos) << config.error().message;
  }
}

}  // namespace
}  // namespace tocsin::config
