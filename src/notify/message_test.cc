#include "notify/message.h"

#include <gtest/gtest.h>

namespace tocsin::notify {
namespace {

nlohmann::json Opened(int64_t id, const std::string& name) {
  return {{"event", "opened"},
          {"monitor", {{"id", id}, {"name", name}, {"url", "https://example.com/" + name}}},
          {"at_ms", 1'795'000'300'000},
          {"check",
           {{"ts_ms", 1'795'000'300'000},
            {"location", 0},
            {"outcome", "timeout"},
            {"detail", "no answer within 10s"},
            {"ip", "192.0.2.1"},
            {"timings_us", {{"dns", 1200}, {"connect", 3400}, {"total", 10'000'000}}}}},
          {"incident", {{"id", id}, {"kind", "down"}, {"since_ms", 1'795'000'000'000}}},
          {"also_affected", {{{"id", 99}, {"name", "child"}}}}};
}

Links TestLinks() {
  return {"http://tocsin.test:8080",
          [](int64_t id) { return "http://tocsin.test:8080/ack/t" + std::to_string(id); }};
}

TEST(MessageTest, SaysWhatFailedSinceWhenFromWhereWithTimingsAndLinks) {
  Delivery d;
  d.notices = {Opened(3, "shop")};
  const Message m = Compose(d, TestLinks());
  EXPECT_EQ(m.title, "DOWN: shop");
  EXPECT_EQ(m.severity, Severity::kCritical);
  EXPECT_EQ(m.link, "http://tocsin.test:8080/monitors/3");
  EXPECT_EQ(m.ack_link, "http://tocsin.test:8080/ack/t3");
  for (const std::string& part :
       {std::string("What failed: timeout: no answer within 10s"),
        std::string("Since:       2026-11-18 11:06:40 UTC"), std::string("Lasted:      5m 0s"),
        std::string("from the server's own probe"), std::string("Address:     192.0.2.1"),
        std::string("DNS 1.2 ms, connect 3.4 ms, total 10000.0 ms"),
        std::string("Also affected: child"),
        std::string("Acknowledge: http://tocsin.test:8080/ack/t3")}) {
    EXPECT_NE(m.text.find(part), std::string::npos) << part << "\n" << m.text;
  }
  EXPECT_NE(m.html.find("href=\"http://tocsin.test:8080/ack/t3\""), std::string::npos);
}

TEST(MessageTest, HtmlEscapesWhatUsersWrote) {
  Delivery d;
  d.notices = {Opened(3, "<script>alert(1)</script>")};
  const Message m = Compose(d, TestLinks());
  EXPECT_EQ(m.html.find("<script>"), std::string::npos);
  EXPECT_NE(m.html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(m.text.find("<script>"), std::string::npos);    // plain text shows it as written
  EXPECT_EQ(m.html.find("src=\"http"), std::string::npos);  // no remote resource
}

TEST(MessageTest, AGroupCountsItsNoticesAndListsEach) {
  Delivery d;
  for (int i = 1; i <= 3; ++i) d.notices.push_back(Opened(i, "m" + std::to_string(i)));
  nlohmann::json resolved = Opened(4, "m4");
  resolved["event"] = "resolved";
  d.notices.push_back(resolved);
  const Message m = Compose(d, TestLinks());
  EXPECT_EQ(m.title, "4 notifications: 3 problems, 1 other");
  for (const char* name : {"DOWN: m1", "DOWN: m2", "DOWN: m3", "RECOVERED: m4"}) {
    EXPECT_NE(m.text.find(name), std::string::npos) << name;
  }
  EXPECT_TRUE(m.ack_link.empty());  // one link per item, none for the message
}

}  // namespace
}  // namespace tocsin::notify
