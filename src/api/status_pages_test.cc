// Status pages: published for chosen monitors only, numbers from seeded
// data, posts and their updates, subscribers by double opt-in with a
// one-click unsubscribe, badges, a custom host name; and nothing of the
// workspace the owner did not choose, no script, no cookie.
#include <gtest/gtest.h>

#include <regex>

#include "api/api_test_fixture.h"

namespace tocsin::api {
namespace {

constexpr int64_t kDayMs = 86'400'000;

class StatusPageTest : public ApiTest {
 protected:
  // Results for a monitor: `checks` on the UTC day `days_ago` days back,
  // `failures` of them failed.
  void Seed(int64_t monitor, int days_ago, int checks, int failures, uint32_t total_us = 50'000) {
    const int64_t day = (NowMs() / kDayMs - days_ago) * kDayMs;
    std::vector<model::CheckRecord> batch;
    for (int i = 0; i < checks; ++i) {
      model::CheckRecord r;
      r.monitor = static_cast<model::MonitorId>(monitor);
      r.ts_ms = day + 60'000 * (i + 1);
      r.outcome = i < failures ? model::Outcome::kTimeout : model::Outcome::kOk;
      r.status = i < failures ? 0 : 200;
      r.total_us = total_us;
      batch.push_back(r);
    }
    ASSERT_TRUE(store_->results().WriteBatch(batch).ok());
  }

  std::vector<store::OutboxRow> Outbox() {
    return std::move(store_->alerts().DueOutbox(NowMs() + 1, 1000)).value();
  }
};

TEST_F(StatusPageTest, APageShowsItsChosenMonitorsWithTheirFiguresAndNothingElse) {
  const Caller ada = User("ada@example.com");
  const int64_t shop = CreateMonitor(ada, "shop");
  const int64_t secret = CreateMonitor(ada, "secret-admin-panel");
  Seed(shop, 0, 10, 1);
  Seed(shop, 3, 4, 0);
  Seed(secret, 0, 5, 5);
  latest_.Update(model::LatestState{static_cast<model::MonitorId>(shop), NowMs(),
                                    model::Outcome::kOk, 200, 50'000, ""});

  Reply made = Call(
      "POST", "/api/v1/status-pages", ada,
      nlohmann::json{{"slug", "acme"}, {"title", "Acme <status>"}, {"monitors", {shop}}}.dump());
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.json["path"], "/status/acme");

  Reply page = Call("GET", "/status/acme");
  ASSERT_EQ(page.status, 200);
  const std::string& html = page.raw.body;
  EXPECT_NE(html.find("<h1>Acme &lt;status&gt;</h1>"), std::string::npos);
  EXPECT_NE(html.find("All systems operational"), std::string::npos);
  EXPECT_NE(html.find("<strong>shop</strong>"), std::string::npos);
  EXPECT_NE(html.find("Operational"), std::string::npos);
  // Today 9 of 10 up; three days ago 4 of 4; over the 90 days 13 of 14.
  EXPECT_NE(html.find(": 90.00 % up\""), std::string::npos);
  EXPECT_NE(html.find(": 100.00 % up\""), std::string::npos);
  EXPECT_NE(html.find("92.86 % uptime"), std::string::npos);
  size_t bars = 0;
  for (size_t at = html.find("<span class=\"d-"); at != std::string::npos;
       at = html.find("<span class=\"d-", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 90u);
  // Nothing not chosen: no other monitor, no URL, no address; no script, no cookie.
  EXPECT_EQ(html.find("secret-admin-panel"), std::string::npos);
  EXPECT_EQ(html.find("shop.example"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(page.Header("Set-Cookie"), "");
  EXPECT_NE(page.Header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);

  // URLs only when chosen; a monitor of another workspace never.
  Reply shown = Call("PATCH", "/api/v1/status-pages/" + std::to_string(made.json["id"].get<int>()),
                     ada, R"({"show_urls":true})");
  ASSERT_EQ(shown.status, 200) << shown.raw.body;
  EXPECT_NE(Call("GET", "/status/acme").raw.body.find("https://shop.example/"), std::string::npos);
  const Caller eve = User("eve@example.com");
  const int64_t eves = CreateMonitor(eve, "eves");
  Reply stolen = Call("PATCH", "/api/v1/status-pages/" + std::to_string(made.json["id"].get<int>()),
                      ada, nlohmann::json{{"monitors", {shop, eves}}}.dump());
  EXPECT_EQ(stolen.status, 400);
  EXPECT_EQ(stolen.json["error"]["field"], "monitors");
  EXPECT_EQ(
      Call("GET", "/api/v1/status-pages/" + std::to_string(made.json["id"].get<int>()), eve).status,
      404);
  Reply taken = Call("POST", "/api/v1/status-pages", eve, R"({"slug":"acme"})");
  EXPECT_EQ(taken.status, 400);
  EXPECT_EQ(taken.json["error"]["field"], "slug");
  EXPECT_EQ(Call("POST", "/api/v1/status-pages", eve, R"({"slug":"Not A Slug"})").status, 400);
  EXPECT_EQ(Call("GET", "/status/nothing-here").status, 404);
}

TEST_F(StatusPageTest, ShortBlipsCanBeHiddenFromTheHistory) {
  const Caller ada = User("ada@example.com");
  const int64_t shop = CreateMonitor(ada, "shop");
  std::vector<model::Incident> incidents;
  for (const auto& [id, length_ms] : {std::pair{1, 30'000}, std::pair{2, 600'000}}) {
    model::Incident inc;
    inc.id = id;
    inc.monitor = static_cast<model::MonitorId>(shop);
    inc.started_ms = inc.confirmed_ms = NowMs() - kDayMs * id;
    inc.ended_ms = inc.started_ms + length_ms;
    inc.cause.monitor = inc.monitor;
    inc.cause.outcome = model::Outcome::kTimeout;
    incidents.push_back(inc);
  }
  ASSERT_TRUE(store_->alerts().Apply(incidents, {}).ok());
  ASSERT_EQ(
      Call(
          "POST", "/api/v1/status-pages", ada,
          nlohmann::json{{"slug", "acme"}, {"monitors", {shop}}, {"hide_blips_under_s", 60}}.dump())
          .status,
      201);
  const std::string html = Call("GET", "/status/acme").raw.body;
  EXPECT_NE(html.find("for 10 min"), std::string::npos) << html;
  EXPECT_EQ(html.find("for 30 s"), std::string::npos) << "a 30 s blip is hidden";
}

TEST_F(StatusPageTest, PostsReachConfirmedSubscribersWhoLeaveInOneClick) {
  const Caller ada = User("ada@example.com");
  const int64_t shop = CreateMonitor(ada, "shop");
  Reply made =
      Call("POST", "/api/v1/status-pages", ada,
           nlohmann::json{{"slug", "acme"}, {"title", "Acme"}, {"monitors", {shop}}}.dump());
  const std::string id = std::to_string(made.json["id"].get<int>());

  // Double opt-in: nothing reaches an unconfirmed address.
  Reply sub = Call("POST", "/status/acme/subscribe", {}, "email=Visitor%40Example.com",
                   "application/x-www-form-urlencoded");
  EXPECT_EQ(sub.status, 202);
  EXPECT_EQ(
      Call("POST", "/status/acme/subscribe", {}, "email=nope", "application/x-www-form-urlencoded")
          .status,
      400);
  auto rows = Outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "visitor@example.com");
  const std::string confirm_text = nlohmann::json::parse(rows[0].payload)["text"];
  std::smatch link;
  ASSERT_TRUE(
      std::regex_search(confirm_text, link, std::regex("/status/acme/confirm/[A-Za-z0-9_-]+")));
  const std::string confirm = link[0];

  Reply post = Call("POST", "/api/v1/status-pages/" + id + "/posts", ada,
                    R"({"title":"Checkout errors","state":"investigating","message":"Looking."})");
  ASSERT_EQ(post.status, 201) << post.raw.body;
  EXPECT_EQ(Outbox().size(), 1u) << "the unconfirmed subscriber gets nothing";

  EXPECT_EQ(Call("GET", confirm).status, 200);  // a GET confirms nothing
  EXPECT_EQ(Call("POST", confirm, {}, "", "").status, 200);
  EXPECT_EQ(Call("POST", "/status/acme/confirm/forged", {}, "", "").status, 404);

  Reply update = Call("POST",
                      "/api/v1/status-pages/" + id + "/posts/" +
                          std::to_string(post.json["id"].get<int>()) + "/updates",
                      ada, R"({"state":"resolved","message":"Fixed <b>now</b>."})");
  ASSERT_EQ(update.status, 201) << update.raw.body;
  EXPECT_EQ(update.json["state"], "resolved");
  EXPECT_EQ(update.json["updates"].size(), 2u);
  rows = Outbox();
  ASSERT_EQ(rows.size(), 2u);
  const nlohmann::json notice = nlohmann::json::parse(rows[1].payload);
  EXPECT_EQ(notice["subject"], "[Acme] Checkout errors: resolved");
  const std::string unsubscribe = notice["headers"]["List-Unsubscribe"];
  EXPECT_EQ(notice["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  const std::string path = unsubscribe.substr(
      unsubscribe.find("/status/"), unsubscribe.size() - 1 - unsubscribe.find("/status/"));

  const std::string html = Call("GET", "/status/acme").raw.body;
  EXPECT_NE(html.find("Checkout errors"), std::string::npos);
  EXPECT_NE(html.find("Fixed &lt;b&gt;now&lt;/b&gt;."), std::string::npos);
  EXPECT_EQ(Call("POST", "/api/v1/status-pages/" + id + "/posts", ada,
                 R"({"title":"x","state":"panicking","message":"m"})")
                .status,
            400);

  // A maintenance window of the page's monitor: on the page, and announced.
  const std::string start = [] {
    const time_t t = NowMs() / 1000 + 2 * 86'400;
    tm u{};
    gmtime_r(&t, &u);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d 03:00", &u);
    return std::string(buf);
  }();
  Reply window = Call(
      "POST", "/api/v1/maintenance", ada,
      nlohmann::json{
          {"name", "Database upgrade"}, {"start", start}, {"duration", "1h"}, {"monitors", {shop}}}
          .dump());
  ASSERT_EQ(window.status, 201) << window.raw.body;
  EXPECT_NE(Call("GET", "/status/acme").raw.body.find("Database upgrade: " + start + " UTC to"),
            std::string::npos);
  rows = Outbox();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(rows[2].payload)["subject"],
            "[Acme] Scheduled maintenance: Database upgrade");

  // One click, no session: the next update reaches no one.
  EXPECT_EQ(
      Call("POST", path, {}, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded")
          .status,
      200);
  EXPECT_EQ(Call("POST", path, {}, "", "").status, 404);
  ASSERT_EQ(Call("POST", "/api/v1/status-pages/" + id + "/posts", ada,
                 R"({"title":"Later","state":"identified","message":"m"})")
                .status,
            201);
  EXPECT_EQ(Outbox().size(), 3u);

  // Her export holds the page and its posts; terminating her account takes
  // the page down with everything on it.
  Reply exported = Call("GET", "/api/v1/account/export", ada);
  ASSERT_EQ(exported.status, 200);
  const nlohmann::json& pages = exported.json["workspaces"][0]["status_pages"];
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0]["posts"].size(), 2u);
  ASSERT_EQ(
      Call("DELETE", "/api/v1/account", ada, nlohmann::json{{"password", kPassword}}.dump()).status,
      204);
  EXPECT_EQ(Call("GET", "/status/acme").status, 404);
  for (const char* table :
       {"status_pages", "status_posts", "status_updates", "status_subscribers"}) {
    EXPECT_EQ(CountRows(std::string("SELECT count(*) FROM ") + table), 0) << table;
  }
}

TEST_F(StatusPageTest, BadgesAndACustomHostShowOnlyThePagesMonitors) {
  const Caller ada = User("ada@example.com");
  const int64_t shop = CreateMonitor(ada, "shop");
  const int64_t other = CreateMonitor(ada, "other");
  Seed(shop, 1, 10, 1, 120'000);
  latest_.Update(model::LatestState{static_cast<model::MonitorId>(shop), NowMs(),
                                    model::Outcome::kTimeout, 0, 0, "timed out"});
  ASSERT_EQ(
      Call("POST", "/api/v1/status-pages", ada,
           nlohmann::json{{"slug", "acme"}, {"host", "Status.Example.com"}, {"monitors", {shop}}}
               .dump())
          .status,
      201);
  const std::string base = "/status/acme/badge/" + std::to_string(shop);
  Reply status = Call("GET", base + "/status.svg");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.raw.content_type, "image/svg+xml");
  EXPECT_NE(status.raw.body.find(">down</text>"), std::string::npos);
  EXPECT_EQ(status.Header("Cache-Control"), "public, max-age=60");
  EXPECT_EQ(status.Header("Set-Cookie"), "");
  EXPECT_NE(Call("GET", base + "/uptime.svg?days=7").raw.body.find(">90.00%</text>"),
            std::string::npos);
  const std::string response = Call("GET", base + "/response.svg?days=7").raw.body;
  // The median of 120 ms checks, within the sketch's 1 %.
  EXPECT_TRUE(std::regex_search(response, std::regex(">1(19|20|21) ms</text>"))) << response;
  EXPECT_EQ(Call("GET", base + "/uptime.svg?days=91").status, 400);
  EXPECT_EQ(Call("GET", "/status/acme/badge/" + std::to_string(other) + "/status.svg").status, 404);
  EXPECT_EQ(Call("GET", base + "/other.svg").status, 404);

  Request r;
  r.method = "GET";
  r.target = r.path = "/";
  r.headers = {{"Host", "status.example.com:443"}};
  const Response page = router_.Dispatch(r);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Major outage"), std::string::npos);
  r.headers = {{"Host", "tocsin.example.com"}};
  EXPECT_EQ(router_.Dispatch(r).body.find("Major outage"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::api

namespace tocsin::api {
namespace {

TEST(StatusPageCacheTest, KeepsAPageForItsTimeAndNeverAnError) {
  StatusPageCache cache(10'000);
  int renders = 0;
  const auto page = [&] {
    ++renders;
    return Response::Text(200, "page " + std::to_string(renders));
  };
  EXPECT_EQ(cache.Get(1, 1'000, page).body, "page 1");
  EXPECT_EQ(cache.Get(1, 10'999, page).body, "page 1");
  EXPECT_EQ(cache.Get(2, 10'999, page).body, "page 2") << "pages are apart";
  EXPECT_EQ(cache.Get(1, 11'000, page).body, "page 3") << "rendered again once expired";
  EXPECT_EQ(renders, 3);
  const auto failing = [&] { return Response::Text(503, "busy"); };
  EXPECT_EQ(cache.Get(9, 0, failing).status, 503);
  EXPECT_EQ(cache.Get(9, 1, page).status, 200) << "an error is not kept";
  StatusPageCache off(0);
  off.Get(1, 0, page);
  off.Get(1, 0, page);
  EXPECT_EQ(renders, 6);
}

}  // namespace
}  // namespace tocsin::api
