// The weekly summary against seeded data with known answers, in a real
// SQLite file: uptime, percentiles, downtime, ranks, the mail's text and
// HTML, and the job's once-a-week promise across passes and restarts.
#include "report/weekly_summary.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <regex>

#include "core/temp_dir.h"
#include "report/summary_mail.h"
#include "report/unsubscribe_token.h"
#include "report/weekly_job.h"
#include "store/store.h"

namespace tocsin::report {
namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
// Monday 2026-11-30 08:00 UTC, and the week it covers.
constexpr int64_t kSlotMs = 1'795'996'800'000 + 8 * kHourMs;
constexpr int64_t kFromMs = kSlotMs - 8 * kHourMs - 7 * kDayMs;
constexpr int64_t kToMs = kSlotMs - 8 * kHourMs;

model::CheckRecord Check(model::MonitorId m, int64_t ts_ms, bool ok, uint32_t total_us) {
  model::CheckRecord r;
  r.monitor = m;
  r.ts_ms = ts_ms;
  r.outcome = ok ? model::Outcome::kOk : model::Outcome::kTimeout;
  r.status = ok ? 200 : 0;
  r.total_us = total_us;
  if (ok) {
    r.dns_us = total_us / 10;
    r.connect_us = total_us / 10;
    r.tls_us = total_us / 5;
    r.ttfb_us = total_us / 2;
    r.download_us = total_us - r.dns_us - r.connect_us - r.tls_us - r.ttfb_us;
  }
  return r;
}

class WeeklySummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::OpenSqliteStore({.path = dir_.path() + "/tocsin.db"})).value();
    model::User u;
    u.email = "ada@example.com";
    u.name = "Ada <Lovelace>";
    u.email_confirmed_ms = kFromMs - 30 * kDayMs;
    u.created_ms = u.email_confirmed_ms;
    ada_ = std::move(store_->accounts().CreateUser(u)).value();
    mine_ = Monitor(ada_.personal_workspace, "Shop & <b>", "https://shop.example/");
    // Eleven URLs of someone else, one check a day, medians 10..110 ms;
    // the fifth fails half its checks.
    for (int i = 1; i <= 11; ++i) {
      const model::MonitorId m = Monitor(999, "other-" + std::to_string(i), "https://other/");
      std::vector<model::CheckRecord> batch;
      for (int d = 0; d < 6; ++d) {
        batch.push_back(Check(m, kFromMs + d * kDayMs + kHourMs, !(i == 5 && d % 2 == 0),
                              static_cast<uint32_t>(i * 10'000)));
      }
      EXPECT_TRUE(store_->results().WriteBatch(batch).ok());
    }
  }

  model::MonitorId Monitor(model::WorkspaceId w, const std::string& name, const std::string& url) {
    store::MonitorRecord m;
    m.workspace = w;
    m.name = name;
    m.url = url;
    m.options_json = "{}";
    m.interval = 60'000'000;
    return std::move(store_->monitors().CreateMonitor(m)).value().id;
  }

  // Mine: this week 100 checks, 90 ok at 95 ms, 10 timeouts; the week
  // before 50 checks at 80 ms; the four weeks before 40 at 60 ms.
  void SeedMine() {
    std::vector<model::CheckRecord> batch;
    for (int i = 0; i < 100; ++i) {
      batch.push_back(Check(mine_, kFromMs + i * kHourMs, i % 10 != 3, 95'000));
    }
    for (int i = 0; i < 50; ++i)
      batch.push_back(Check(mine_, kFromMs - 7 * kDayMs + i * kHourMs, true, 80'000));
    for (int i = 0; i < 40; ++i)
      batch.push_back(Check(mine_, kFromMs - 30 * kDayMs + i * kHourMs, true, 60'000));
    ASSERT_TRUE(store_->results().WriteBatch(batch).ok());
    // Down from 30 min before the week to 30 min into it, and for an hour
    // on the second day; a degraded spell does not count as down time.
    std::vector<model::Incident> incidents;
    auto add = [&](int64_t id, model::IncidentKind kind, int64_t from, int64_t to) {
      model::Incident inc;
      inc.id = id;
      inc.monitor = mine_;
      inc.kind = kind;
      inc.started_ms = inc.confirmed_ms = from;
      inc.ended_ms = to;
      inc.cause = Check(mine_, from, false, 0);
      incidents.push_back(inc);
    };
    add(1, model::IncidentKind::kDown, kFromMs - kHourMs / 2, kFromMs + kHourMs / 2);
    add(2, model::IncidentKind::kDown, kFromMs + kDayMs, kFromMs + kDayMs + kHourMs);
    add(3, model::IncidentKind::kDegraded, kFromMs + 2 * kDayMs, kFromMs + 3 * kDayMs);
    add(4, model::IncidentKind::kDown, kFromMs - 3 * kDayMs, kFromMs - 2 * kDayMs);
    ASSERT_TRUE(store_->alerts().Apply(incidents, {}).ok());
  }

  WeeklySummary Build() {
    auto all = std::move(store_->monitors().ListMonitors()).value();
    RankCache ranks(store_->results(), all);
    std::vector<store::MonitorRecord> mine;
    for (const auto& m : all) {
      if (m.workspace == ada_.personal_workspace) mine.push_back(m);
    }
    auto slot = LatestSlot("UTC", 1, 8, kSlotMs);
    EXPECT_TRUE(slot.ok());
    auto s = BuildWeeklySummary(*store_, ada_, mine, *slot, ranks);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return *s;
  }

  TempDir dir_{"tocsin-weekly-test"};
  std::unique_ptr<store::Store> store_;
  model::User ada_;
  model::MonitorId mine_ = 0;
};

TEST_F(WeeklySummaryTest, FiguresMatchTheSeededWeek) {
  SeedMine();
  const WeeklySummary s = Build();
  EXPECT_EQ(s.slot.from_ms, kFromMs);
  ASSERT_EQ(s.urls.size(), 1u);
  const UrlWeek& u = s.urls[0];
  EXPECT_EQ(u.week.count, 100u);
  EXPECT_EQ(u.week.failures, 10u);
  EXPECT_DOUBLE_EQ(Availability(u.week), 90.0);
  EXPECT_DOUBLE_EQ(u.week.mean_us, 95'000);
  EXPECT_NEAR(u.week.p50_us, 95'000, 950);
  EXPECT_NEAR(u.week.p95_us, 95'000, 950);
  EXPECT_EQ(u.previous.count, 50u);
  EXPECT_NEAR(u.previous.p50_us, 80'000, 800);
  EXPECT_EQ(u.four_before.count, 40u);
  EXPECT_NEAR(u.four_before.p50_us, 60'000, 600);
  // Two down incidents touch the week: 30 min of the first, the second's hour.
  EXPECT_EQ(u.incidents, 2u);
  EXPECT_EQ(u.downtime_ms, kHourMs + kHourMs / 2);
  // Response: DNS + connect + TLS + first byte = 90 % of 95 ms.
  ASSERT_TRUE(u.MeanResponseUs(u.week).has_value());
  EXPECT_DOUBLE_EQ(*u.MeanResponseUs(u.week), 85'500);
  EXPECT_EQ(u.week.response_checks, 90u);
  EXPECT_NEAR(u.week.response_p50_us, 85'500, 855);
  EXPECT_NEAR(u.week.response_p95_us, 85'500, 855);
  EXPECT_NEAR(u.previous.response_p50_us, 72'000, 720);
  ASSERT_TRUE(u.SlowestPhase().has_value());
  EXPECT_EQ(u.SlowestPhase()->first, store::Phase::kFirstByte);
  EXPECT_DOUBLE_EQ(u.SlowestPhase()->second, 47'500);
  // Ranks among 12 URLs: 95 ms is faster than 110 and 100 ms (2 of 11);
  // 90 % up beats only the URL up half the time (1 of 11).
  EXPECT_EQ(u.ranked_among, 12u);
  ASSERT_TRUE(u.faster_than.has_value());
  EXPECT_NEAR(*u.faster_than, 100.0 * 2 / 11, 1e-9);
  ASSERT_TRUE(u.more_available_than.has_value());
  EXPECT_NEAR(*u.more_available_than, 100.0 * 1 / 11, 1e-9);
}

TEST_F(WeeklySummaryTest, TooFewUrlsAreNotRanked) {
  ServerRanks few;
  auto all = std::move(store_->monitors().ListMonitors()).value();
  all.resize(5);
  auto ranks = ServerRanks::Build(store_->results(), all, kFromMs, kToMs);
  ASSERT_TRUE(ranks.ok());
  EXPECT_EQ(ranks->size(), 4u);  // mine has no check yet
  EXPECT_FALSE(ranks->FasterThan(50'000).has_value());
  EXPECT_FALSE(ranks->MoreAvailableThan(100).has_value());
}

TEST_F(WeeklySummaryTest, TheMailShowsTheFiguresAndEscapesWhatUsersWrote) {
  SeedMine();
  const SummaryMail mail = RenderSummaryMail(
      Build(), {"https://tocsin.test", "https://tocsin.test/unsubscribe/T"}, 1, 8);
  EXPECT_EQ(mail.subject, "Your week on Tocsin: 1 URL, 90.00 % up, 2 incidents, 1 h 30 min down");
  EXPECT_NE(mail.text.find("Hello Ada <Lovelace>,"), std::string::npos);
  EXPECT_NE(mail.text.find("Mon 23 Nov 2026 to Sun 29 Nov 2026 (UTC)"), std::string::npos);
  EXPECT_NE(mail.text.find("Uptime          90.00 %, previous week 100.00 %"), std::string::npos)
      << mail.text;
  EXPECT_NE(mail.text.find("Incidents       2, down 1 h 30 min in all"), std::string::npos);
  // Response (to the first byte): 90 % of each check; median and p95
  // from the sketch, within its 1 %.
  EXPECT_TRUE(std::regex_search(
      mail.text,
      std::regex("Response time   mean 85\\.5 ms, median 8[56]\\.\\d ms, p95 "
                 "8[56]\\.\\d ms \\(median previous week 7[12]\\.\\d ms, \\+1[6-9]\\.\\d %\\)")))
      << mail.text;
  EXPECT_NE(mail.text.find("Slowest phase   first byte, 47.5 ms on average"), std::string::npos);
  EXPECT_NE(
      mail.text.find("On this server  faster than 18 %; more available than 9 % of its 12 URLs"),
      std::string::npos)
      << mail.text;
  EXPECT_NE(mail.text.find("https://tocsin.test/unsubscribe/T"), std::string::npos);
  EXPECT_EQ(mail.text.find("other-"), std::string::npos) << "another user's URL is named";
  // HTML: the user's words escaped, no remote resource, the bars inline.
  EXPECT_NE(mail.html.find("Shop &amp; &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(mail.html.find("<b>"), std::string::npos);
  EXPECT_EQ(mail.html.find("src="), std::string::npos);
  EXPECT_EQ(mail.html.find("other-"), std::string::npos);
  EXPECT_NE(mail.html.find("width:180px;background:#16a34a"), std::string::npos)
      << "90 % of 200 px";
  ASSERT_EQ(mail.headers.size(), 2u);
  EXPECT_EQ(mail.headers[0].second, "<https://tocsin.test/unsubscribe/T>");
  EXPECT_EQ(mail.headers[1].second, "List-Unsubscribe=One-Click");
}

// Passes every 20 s for a week, a restart (a new job on the same store)
// and a second replica: one row for the week, then one for the next.
TEST_F(WeeklySummaryTest, TheJobQueuesOneSummaryAWeekWhateverRunsIt) {
  SeedMine();
  WeeklyJobOptions options{.public_url = "https://tocsin.test", .unsubscribe_key = "k"};
  auto job = std::make_unique<WeeklyJob>(*store_, options);
  WeeklyJob replica(*store_, options);
  EXPECT_EQ(job->Pass(kSlotMs - 1).value(), 0u) << "not yet";
  EXPECT_EQ(job->Pass(kSlotMs).value(), 1u);
  for (int64_t t = kSlotMs; t < kSlotMs + kHourMs; t += 20'000) {
    EXPECT_EQ(job->Pass(t).value(), 0u);
  }
  job = std::make_unique<WeeklyJob>(*store_, options);  // a restart
  EXPECT_EQ(job->Pass(kSlotMs + 2 * kHourMs).value(), 0u);
  EXPECT_EQ(replica.Pass(kSlotMs + 3 * kHourMs).value(), 0u);
  const auto row =
      store_->alerts().FindNotification("weekly:" + std::to_string(ada_.id) + ":2026-W49");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->recipient, "ada@example.com");
  const auto payload = nlohmann::json::parse((*row)->payload);
  EXPECT_NE(payload["text"].get<std::string>().find("90.00 %"), std::string::npos);
  EXPECT_TRUE(payload["headers"].contains("List-Unsubscribe"));
  // The next week's comes at its own slot.
  EXPECT_EQ(job->Pass(kSlotMs + 7 * kDayMs - 1).value(), 0u);
  EXPECT_EQ(replica.Pass(kSlotMs + 7 * kDayMs).value(), 1u);
  EXPECT_EQ(job->Pass(kSlotMs + 7 * kDayMs + 1).value(), 0u);
}

TEST_F(WeeklySummaryTest, TheJobSkipsOptedOutUnconfirmedStaleAndEmpty) {
  SeedMine();
  WeeklyJobOptions options{.public_url = "https://tocsin.test", .unsubscribe_key = "k"};
  WeeklyJob job(*store_, options);
  // A missed slot is caught up within a day, not later.
  EXPECT_EQ(job.Pass(kSlotMs + kDayMs + 1).value(), 0u);
  model::User bob;
  bob.email = "bob@example.com";
  bob.name = "Bob";
  bob = std::move(store_->accounts().CreateUser(bob)).value();  // unconfirmed, no URL
  model::User ada = ada_;
  ada.weekly_summary = false;
  ASSERT_TRUE(store_->accounts().UpdateUser(ada).ok());
  EXPECT_EQ(job.Pass(kSlotMs + 7 * kDayMs).value(), 0u);
  // Unsubscribing by the link turns it off too.
  ada.weekly_summary = true;
  ASSERT_TRUE(store_->accounts().UpdateUser(ada).ok());
  auto email = job.Unsubscribe(MakeUnsubscribeToken("k", ada_.id));
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(*email, "ada@example.com");
  EXPECT_FALSE(std::move(store_->accounts().GetUser(ada_.id)).value()->weekly_summary);
  EXPECT_FALSE(job.Unsubscribe(MakeUnsubscribeToken("other", ada_.id)).ok());
  EXPECT_EQ(job.Pass(kSlotMs + 14 * kDayMs).value(), 0u);
}

}  // namespace
}  // namespace tocsin::report
