// A monitor's series over the API: one point per rollup bucket, the step
// chosen by the range (or asked for), bounded, and another workspace's
// monitor out of reach.
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

}  // namespace
}  // namespace tocsin::api
