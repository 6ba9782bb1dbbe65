// A monitor's series over the API: one point per rollup bucket, the step
// chosen by the range (or asked for), bounded, and another workspace's
// monitor out of reach; and the list's figures for the rows on screen.
#include "api/api_test_fixture.h"

namespace tocsin::api {
namespace {

constexpr int64_t kDayMs = 86'400'000;

TEST_F(ApiTest, ASeriesHasOnePointPerBucketAtAStepFittingItsRange) {
  const Caller ada = User("ada@example.com");
  const int64_t id = CreateMonitor(ada);
  // Two whole days of results, one a minute, ending at the start of today.
  const int64_t end_ms = (NowMs() / kDayMs) * kDayMs;
  const int64_t start_ms = end_ms - 2 * kDayMs;
  std::vector<model::CheckRecord> batch;
  for (int64_t ts = start_ms; ts < end_ms; ts += 60'000) {
    model::CheckRecord r;
    r.monitor = static_cast<model::MonitorId>(id);
    r.ts_ms = ts;
    r.outcome = (ts / 60'000) % 10 == 0 ? model::Outcome::kTimeout : model::Outcome::kOk;
    r.status = r.outcome == model::Outcome::kOk ? 200 : 0;
    r.total_us = 40'000;
    if (r.outcome == model::Outcome::kOk) {
      r.dns_us = 1'000;
      r.connect_us = 2'000;
      r.tls_us = 7'000;
      r.ttfb_us = 25'000;
      r.download_us = 5'000;
    }
    batch.push_back(r);
  }
  ASSERT_TRUE(store_->results().WriteBatch(batch).ok());
  const std::string base = "/api/v1/monitors/" + std::to_string(id) +
                           "/series?from_ms=" + std::to_string(start_ms) +
                           "&to_ms=" + std::to_string(end_ms);

  Reply hours = Call("GET", base, ada);
  ASSERT_EQ(hours.status, 200) << hours.raw.body;
  EXPECT_EQ(hours.json["step"], "hour") << "2,880 minutes are too many points; 48 hours fit";
  ASSERT_EQ(hours.json["points"].size(), 48u);
  EXPECT_EQ(hours.json["points"][0]["ts_ms"], start_ms);
  EXPECT_EQ(hours.json["points"][0]["count"], 60);
  EXPECT_EQ(hours.json["points"][0]["failures"], 6);
  EXPECT_DOUBLE_EQ(hours.json["points"][0]["availability_percent"].get<double>(), 90.0);
  EXPECT_NEAR(hours.json["points"][0]["p95_us"].get<double>(), 40'000, 400);
  const nlohmann::json& phases = hours.json["points"][0]["phases_mean_us"];
  EXPECT_EQ(phases["checks"], 54) << "the failed checks count in no phase";
  EXPECT_DOUBLE_EQ(phases["dns_us"].get<double>(), 1'000);
  EXPECT_DOUBLE_EQ(phases["connect_us"].get<double>(), 2'000);
  EXPECT_DOUBLE_EQ(phases["tls_us"].get<double>(), 7'000);
  EXPECT_DOUBLE_EQ(phases["ttfb_us"].get<double>(), 25'000);
  EXPECT_DOUBLE_EQ(phases["download_us"].get<double>(), 5'000);

  Reply days = Call("GET", base + "&step=day", ada);
  ASSERT_EQ(days.json["points"].size(), 2u);
  EXPECT_EQ(days.json["points"][1]["count"], 1'440);
  EXPECT_EQ(Call("GET", base + "&step=minute", ada).json["points"].size(), 2'880u);
  EXPECT_EQ(Call("GET", base + "&step=week", ada).status, 400);
  const std::string year = "/api/v1/monitors/" + std::to_string(id) +
                           "/series?step=minute&from_ms=" + std::to_string(end_ms - 365 * kDayMs);
  EXPECT_EQ(Call("GET", year, ada).status, 400) << "a year by the minute is too many points";

  const Caller eve = User("eve@example.com");
  EXPECT_EQ(Call("GET", base, eve).status, 404);
}

TEST_F(ApiTest, TheListsFiguresComeForTheAskedMonitorsOfTheCaller) {
  const Caller ada = User("ada@example.com");
  const int64_t id = CreateMonitor(ada);
  const int64_t idle = CreateMonitor(ada, "idle");
  // The last 3 hours, one result a minute, every tenth one failed.
  const int64_t now_ms = NowMs();
  std::vector<model::CheckRecord> batch;
  for (int64_t ts = now_ms - 3 * 3'600'000; ts < now_ms; ts += 60'000) {
    model::CheckRecord r;
    r.monitor = static_cast<model::MonitorId>(id);
    r.ts_ms = ts;
    r.outcome = batch.size() % 10 == 0 ? model::Outcome::kTimeout : model::Outcome::kOk;
    r.total_us = 30'000;
    batch.push_back(r);
  }
  ASSERT_TRUE(store_->results().WriteBatch(batch).ok());
  const std::string path =
      "/api/v1/monitors/stats?ids=" + std::to_string(id) + "," + std::to_string(idle);
  Reply stats = Call("GET", path, ada);
  ASSERT_EQ(stats.status, 200) << stats.raw.body;
  ASSERT_EQ(stats.json["stats"].size(), 2u);
  const auto& s = stats.json["stats"][0];
  EXPECT_EQ(s["id"], id);
  EXPECT_NEAR(s["uptime_24h"].get<double>(), 90.0, 0.01);
  EXPECT_EQ(s["uptime_30d"], s["uptime_24h"]);
  EXPECT_NEAR(s["p95_24h_us"].get<double>(), 30'000, 300);
  ASSERT_EQ(s["p50_by_hour_us"].size(), 25u);
  EXPECT_TRUE(s["p50_by_hour_us"][0].is_null()) << "nothing ran a day ago";
  EXPECT_FALSE(s["p50_by_hour_us"][24].is_null());
  EXPECT_TRUE(stats.json["stats"][1]["uptime_24h"].is_null()) << "no check yet is not 0 %";

  // Another workspace's monitor is left out, as if it did not exist.
  const Caller eve = User("eve@example.com");
  Reply theirs = Call("GET", path, eve);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_TRUE(theirs.json["stats"].empty());
  EXPECT_EQ(Call("GET", "/api/v1/monitors/stats?ids=", ada).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/monitors/stats?ids=1,x", ada).status, 400);
  std::string many = "/api/v1/monitors/stats?ids=1";
  for (int i = 2; i <= 201; ++i) many += "," + std::to_string(i);
  EXPECT_EQ(Call("GET", many, ada).status, 400);
}

TEST_F(ApiTest, CheckNowValidatesLikeACreateAndSavesNothing) {
  const Caller ada = User("ada@example.com");
  Reply bad = Call("POST", "/api/v1/monitors/check", ada, R"({"url": "ftp://x"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["field"], "url");
  EXPECT_EQ(
      Call("POST", "/api/v1/monitors/check", ada, R"({"url": "https://a.example/", "nope": 1})")
          .status,
      400);
  Reply ok = Call("POST", "/api/v1/monitors/check", ada, R"({"url": "https://a.example/"})");
  ASSERT_EQ(ok.status, 200) << ok.raw.body;
  EXPECT_EQ(ok.json["result"]["ip"], "192.0.2.7");
  EXPECT_TRUE(Call("GET", "/api/v1/monitors", ada).json.empty()) << "nothing was saved";
}

}  // namespace
}  // namespace tocsin::api
