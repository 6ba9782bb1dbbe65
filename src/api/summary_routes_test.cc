// The weekly summary's routes: the profile's day and hour, the preview,
// "send it to me now", and the one-click unsubscribe without a session.
#include <gtest/gtest.h>

#include <regex>

#include "api/api_test_fixture.h"

namespace tocsin::api {
namespace {

TEST_F(ApiTest, TheWeeklySummaryIsPreviewedSentAndUnsubscribedInOneClick) {
  const Caller ada = User("ada@example.com");
  Reply none = Call("GET", "/api/v1/account/weekly-summary", ada);
  EXPECT_EQ(none.status, 409) << "nothing to summarise without a monitor";
  CreateMonitor(ada);

  Reply day = Call("PATCH", "/api/v1/account", ada,
                   R"({"weekly_summary_day":"sunday","weekly_summary_hour":18})");
  ASSERT_EQ(day.status, 200) << day.raw.body;
  EXPECT_EQ(day.json["weekly_summary_day"], "sunday");
  EXPECT_EQ(day.json["weekly_summary_hour"], 18);
  EXPECT_EQ(Call("PATCH", "/api/v1/account", ada, R"({"weekly_summary_day":"Sunday"})").status,
            400);
  EXPECT_EQ(Call("PATCH", "/api/v1/account", ada, R"({"weekly_summary_hour":-1})").status, 400);

  Reply preview = Call("GET", "/api/v1/account/weekly-summary", ada);
  ASSERT_EQ(preview.status, 200) << preview.raw.body;
  const std::string text = preview.json["text"];
  EXPECT_NE(text.find("shop  https://shop.example/"), std::string::npos) << text;
  EXPECT_NE(text.find("every sunday at 18:00 (UTC)"), std::string::npos) << text;
  EXPECT_NE(preview.json["html"].get<std::string>().find("<!DOCTYPE html>"), std::string::npos);

  Reply sent = Call("POST", "/api/v1/account/weekly-summary/send", ada);
  EXPECT_EQ(sent.status, 202) << sent.raw.body;
  EXPECT_EQ(Call("GET", "/api/v1/account/weekly-summary", {}).status, 401);

  std::smatch link;
  ASSERT_TRUE(std::regex_search(text, link, std::regex("/unsubscribe/[A-Za-z0-9_-]+")));
  const std::string path = link[0];
  // A GET (a mail scanner following the link) changes nothing.
  EXPECT_EQ(Call("GET", path, {}).status, 200);
  EXPECT_TRUE(Call("GET", "/api/v1/account", ada).json["weekly_summary"].get<bool>());
  Reply forged = Call("POST", "/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", {});
  EXPECT_EQ(forged.status, 400);
  Reply done =
      Call("POST", path, {}, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded");
  EXPECT_EQ(done.status, 200) << done.raw.body;
  EXPECT_NE(done.raw.body.find("ada@example.com gets no more weekly summaries"), std::string::npos);
  EXPECT_FALSE(Call("GET", "/api/v1/account", ada).json["weekly_summary"].get<bool>());
}

}  // namespace
}  // namespace tocsin::api
