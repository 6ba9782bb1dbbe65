#include "store/rollup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "model/check_record.h"

namespace tocsin::store {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3'600;
constexpr int64_t kDay = 86'400;

model::CheckRecord Ok(uint32_t total_us, int64_t ts_ms = 0, model::MonitorId monitor = 1) {
  model::CheckRecord r;
  r.monitor = monitor;
  r.ts_ms = ts_ms;
  r.outcome = model::Outcome::kOk;
  r.status = 200;
  r.total_us = total_us;
  return r;
}

// A failure with a large total, so that counting it in the latency figures
// would show.
model::CheckRecord Failure(int64_t ts_ms = 0, model::MonitorId monitor = 1) {
  model::CheckRecord r;
  r.monitor = monitor;
  r.ts_ms = ts_ms;
  r.outcome = model::Outcome::kTimeout;
  r.total_us = 30'000'000;
  r.detail = "timed out";
  return r;
}

RollupRow RowOf(const std::vector<model::CheckRecord>& results) {
  RollupRow row;
  for (const model::CheckRecord& r : results) row.Add(r);
  return row;
}

void ExpectSameRow(const RollupRow& got, const RollupRow& want) {
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.failures, want.failures);
  EXPECT_EQ(got.min_us, want.min_us);
  EXPECT_EQ(got.max_us, want.max_us);
  EXPECT_EQ(got.sum_us, want.sum_us);
  EXPECT_TRUE(got.sketch == want.sketch);
  EXPECT_EQ(got.phased, want.phased);
  EXPECT_EQ(got.phase_sum_us, want.phase_sum_us);
}

// --- BucketStart ---

TEST(RollupBucketStart, FloorsToTheStartOfEachLevel) {
  const int64_t t = 2 * kDay + 3 * kHour + 25 * kMinute + 17;
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, t), 2 * kDay + 3 * kHour + 25 * kMinute);
  EXPECT_EQ(BucketStart(RollupLevel::kHour, t), 2 * kDay + 3 * kHour);
  EXPECT_EQ(BucketStart(RollupLevel::kDay, t), 2 * kDay);
}

TEST(RollupBucketStart, BoundaryIsItsOwnBucketStart) {
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, 0), 0);
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, 120), 120);
  EXPECT_EQ(BucketStart(RollupLevel::kHour, kHour), kHour);
  EXPECT_EQ(BucketStart(RollupLevel::kDay, 3 * kDay), 3 * kDay);
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, 119), 60);
  EXPECT_EQ(BucketStart(RollupLevel::kDay, kDay - 1), 0);
}

TEST(RollupBucketStart, NegativeSecondsRoundDown) {
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, -1), -60);
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, -60), -60);
  EXPECT_EQ(BucketStart(RollupLevel::kMinute, -61), -120);
  EXPECT_EQ(BucketStart(RollupLevel::kHour, -3'601), -7'200);
  EXPECT_EQ(BucketStart(RollupLevel::kDay, -1), -kDay);
  EXPECT_EQ(BucketStart(RollupLevel::kDay, -kDay), -kDay);
}

// --- RollupRow ---

TEST(RollupRow, AddKeepsFailuresOutOfLatencyFigures) {
  const RollupRow row = RowOf({Ok(100), Failure(), Ok(300)});
  EXPECT_EQ(row.count, 3u);
  EXPECT_EQ(row.failures, 1u);
  EXPECT_EQ(row.min_us, 100u);
  EXPECT_EQ(row.max_us, 300u);
  EXPECT_EQ(row.sum_us, 400u);
  EXPECT_EQ(row.sketch.count(), 2u);
}

// A check's phases go to their own sums; a failure's partial phases (a
// connect that timed out) go nowhere.
TEST(RollupRow, AddSumsEachPhaseOfSuccessfulChecks) {
  model::CheckRecord a = Ok(1'000);
  a.dns_us = 10;
  a.connect_us = 20;
  a.tls_us = 30;
  a.ttfb_us = 40;
  a.download_us = 900;
  model::CheckRecord b = Ok(2'000);
  b.dns_us = 1;
  b.download_us = 1'999;
  model::CheckRecord failed = Failure();
  failed.connect_us = 5'000'000;
  const RollupRow row = RowOf({a, failed, b});
  EXPECT_EQ(row.phased, 2u);
  EXPECT_EQ(row.phase_sum_us, (std::array<uint64_t, kPhaseCount>{11, 20, 30, 40, 2'899}));
  const RangeSummary s = Summarize(row);
  EXPECT_EQ(s.phased, 2u);
  EXPECT_DOUBLE_EQ(s.phase_mean_us[static_cast<size_t>(Phase::kDns)], 5.5);
  EXPECT_DOUBLE_EQ(s.phase_mean_us[static_cast<size_t>(Phase::kDownload)], 1'449.5);
}

TEST(RollupRow, MergeAddsPhaseSumsAndTheirCounts) {
  model::CheckRecord a = Ok(100);
  a.ttfb_us = 60;
  RollupRow row = RowOf({a});
  row.phased = 0;  // as a row written before phases were kept
  row.phase_sum_us = {};
  row.Merge(RowOf({a, a}));
  EXPECT_EQ(row.count, 3u);
  EXPECT_EQ(row.phased, 2u);
  EXPECT_EQ(row.phase_sum_us[static_cast<size_t>(Phase::kFirstByte)], 120u);
  EXPECT_DOUBLE_EQ(Summarize(row).phase_mean_us[static_cast<size_t>(Phase::kFirstByte)], 60);
  EXPECT_EQ(Summarize(RowOf({Failure()})).phased, 0u);
}

TEST(RollupRow, FirstSuccessAfterFailuresSetsMin) {
  const RollupRow row = RowOf({Failure(), Failure(), Ok(500), Ok(700)});
  EXPECT_EQ(row.min_us, 500u);
  EXPECT_EQ(row.max_us, 700u);
}

TEST(RollupRow, OnlyFailuresHaveNoLatency) {
  const RollupRow row = RowOf({Failure(), Failure()});
  EXPECT_EQ(row.count, 2u);
  EXPECT_EQ(row.failures, 2u);
  EXPECT_EQ(row.min_us, 0u);
  EXPECT_EQ(row.max_us, 0u);
  EXPECT_EQ(row.sum_us, 0u);
  EXPECT_TRUE(row.sketch.empty());
}

TEST(RollupRow, MergeIntoRowWithoutSuccessesTakesTheOthersMinAndMax) {
  RollupRow row = RowOf({Failure(), Failure()});
  row.Merge(RowOf({Ok(900), Ok(700)}));
  EXPECT_EQ(row.count, 4u);
  EXPECT_EQ(row.failures, 2u);
  EXPECT_EQ(row.min_us, 700u);
  EXPECT_EQ(row.max_us, 900u);
  EXPECT_EQ(row.sum_us, 1'600u);
}

TEST(RollupRow, MergeOfRowWithoutSuccessesKeepsMinAndMax) {
  RollupRow row = RowOf({Ok(900), Ok(700)});
  row.Merge(RowOf({Failure()}));
  EXPECT_EQ(row.count, 3u);
  EXPECT_EQ(row.failures, 1u);
  EXPECT_EQ(row.min_us, 700u);
  EXPECT_EQ(row.max_us, 900u);
}

TEST(RollupRow, MergeIntoEmptyRowCopiesIt) {
  RollupRow row;
  row.Merge(RowOf({Ok(42), Failure(), Ok(7)}));
  ExpectSameRow(row, RowOf({Ok(42), Failure(), Ok(7)}));
}

TEST(RollupRow, MergeOfPartsEqualsRowOfWhole) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> latency(1, 5'000'000);
  std::vector<model::CheckRecord> all;
  for (int i = 0; i < 1'000; ++i) all.push_back(i % 13 == 0 ? Failure() : Ok(latency(rng)));
  for (size_t split : {size_t{0}, size_t{1}, size_t{500}, size_t{999}}) {
    SCOPED_TRACE("split at " + std::to_string(split));
    RollupRow left = RowOf({all.begin(), all.begin() + static_cast<ptrdiff_t>(split)});
    left.Merge(RowOf({all.begin() + static_cast<ptrdiff_t>(split), all.end()}));
    ExpectSameRow(left, RowOf(all));
  }
}

// --- AggregateBatch ---

TEST(RollupAggregateBatch, ResultContributesToMinuteHourAndDayRows) {
  const int64_t t = 2 * kDay + 3 * kHour + 25 * kMinute + 17;
  const model::CheckRecord r = Ok(1'234, t * 1000 + 250, 9);
  const auto rows = AggregateBatch(std::vector{r});
  ASSERT_EQ(rows.size(), 3u);
  for (const RollupKey& key : {RollupKey{9, RollupLevel::kMinute, t - 17},
                               RollupKey{9, RollupLevel::kHour, 2 * kDay + 3 * kHour},
                               RollupKey{9, RollupLevel::kDay, 2 * kDay}}) {
    SCOPED_TRACE("level " + std::to_string(static_cast<int>(key.level)));
    auto it = rows.find(key);
    ASSERT_NE(it, rows.end());
    EXPECT_EQ(it->second.count, 1u);
    EXPECT_EQ(it->second.min_us, 1'234u);
    EXPECT_EQ(it->second.sum_us, 1'234u);
  }
}

TEST(RollupAggregateBatch, GroupsByMonitorAndBucket) {
  const int64_t hour = 5 * kHour;
  const std::vector<model::CheckRecord> batch = {
      Ok(100, (hour + 10) * 1000, 1), Ok(200, (hour + 50) * 1000, 1),  // same minute
      Ok(300, (hour + 70) * 1000, 1),                                  // next minute
      Failure((hour + 80) * 1000, 2),                                  // other monitor
  };
  const auto rows = AggregateBatch(batch);
  // Monitor 1: two minutes, one hour, one day; monitor 2: one of each.
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows.at({1, RollupLevel::kMinute, hour}).count, 2u);
  EXPECT_EQ(rows.at({1, RollupLevel::kMinute, hour}).max_us, 200u);
  EXPECT_EQ(rows.at({1, RollupLevel::kMinute, hour + 60}).count, 1u);
  EXPECT_EQ(rows.at({1, RollupLevel::kHour, hour}).count, 3u);
  EXPECT_EQ(rows.at({1, RollupLevel::kHour, hour}).sum_us, 600u);
  EXPECT_EQ(rows.at({1, RollupLevel::kDay, 0}).count, 3u);
  EXPECT_EQ(rows.at({2, RollupLevel::kHour, hour}).failures, 1u);
  EXPECT_EQ(rows.at({2, RollupLevel::kDay, 0}).count, 1u);
}

// Regression: the second of a negative millisecond timestamp was truncated
// towards zero, putting -500 ms in the minute starting at 0.
TEST(RollupAggregateBatch, NegativeMillisecondsBelongToThePreviousMinute) {
  const auto rows = AggregateBatch(std::vector{Ok(10, -500)});
  EXPECT_EQ(rows.count({1, RollupLevel::kMinute, -60}), 1u);
  EXPECT_EQ(rows.count({1, RollupLevel::kHour, -kHour}), 1u);
  EXPECT_EQ(rows.count({1, RollupLevel::kDay, -kDay}), 1u);
  EXPECT_EQ(rows.count({1, RollupLevel::kMinute, 0}), 0u);
}

// --- PlanRange ---

using Span = RangePlan::Span;

void ExpectSpans(const RangePlan& plan, const std::vector<Span>& want) {
  ASSERT_EQ(plan.spans.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("span " + std::to_string(i));
    EXPECT_EQ(plan.spans[i].level, want[i].level);
    EXPECT_EQ(plan.spans[i].from_s, want[i].from_s);
    EXPECT_EQ(plan.spans[i].to_s, want[i].to_s);
  }
}

TEST(RollupPlanRange, RaggedRangeUsesMinutesThenHoursThenWholeDays) {
  const int64_t from = 10 * kMinute + 30;  // 00:10:30 on day 0
  const int64_t to = 2 * kDay + 3 * kHour;
  ExpectSpans(PlanRange(from, to), {
                                       {RollupLevel::kMinute, 10 * kMinute, kHour},
                                       {RollupLevel::kHour, kHour, kDay},
                                       {RollupLevel::kDay, kDay, 2 * kDay},
                                       {RollupLevel::kHour, 2 * kDay, 2 * kDay + 3 * kHour},
                                   });
}

TEST(RollupPlanRange, RaggedEndUsesHoursThenMinutes) {
  const int64_t from = 5 * kDay;
  const int64_t to = 7 * kDay + 2 * kHour + 30 * kMinute + 10;
  ExpectSpans(PlanRange(from, to), {
                                       {RollupLevel::kDay, 5 * kDay, 7 * kDay},
                                       {RollupLevel::kHour, 7 * kDay, 7 * kDay + 2 * kHour},
                                       {RollupLevel::kMinute, 7 * kDay + 2 * kHour, to},
                                   });
}

TEST(RollupPlanRange, RangeInsideOneHourReadsMinutesOnly) {
  const int64_t from = 3 * kHour + 5 * kMinute + 12;
  const int64_t to = 3 * kHour + 50 * kMinute + 30;
  ExpectSpans(PlanRange(from, to), {{RollupLevel::kMinute, 3 * kHour + 5 * kMinute, to}});
}

TEST(RollupPlanRange, WholeDaysReadDaysOnly) {
  ExpectSpans(PlanRange(kDay, 3 * kDay), {{RollupLevel::kDay, kDay, 3 * kDay}});
}

TEST(RollupPlanRange, EmptyOrInvertedRangeHasNoSpans) {
  EXPECT_TRUE(PlanRange(kDay + 30, kDay + 30).spans.empty());
  EXPECT_TRUE(PlanRange(2 * kDay, kDay).spans.empty());
}

// Every minute bucket that starts in [floor(from), to) is covered by exactly
// one span, whatever the range.
TEST(RollupPlanRange, SpansCoverEveryMinuteOfRandomRangesExactlyOnce) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> start(-3 * kDay, 3 * kDay);
  std::uniform_int_distribution<int64_t> length(0, 3 * kDay);
  for (int i = 0; i < 300; ++i) {
    const int64_t from = start(rng);
    const int64_t to = from + length(rng);
    SCOPED_TRACE("range [" + std::to_string(from) + ", " + std::to_string(to) + ")");
    std::vector<int64_t> covered;
    for (const Span& span : PlanRange(from, to).spans) {
      const int64_t width = kLevelSeconds[static_cast<int>(span.level)];
      ASSERT_EQ(BucketStart(span.level, span.from_s), span.from_s);
      for (int64_t bucket = span.from_s; bucket < span.to_s; bucket += width) {
        for (int64_t minute = bucket; minute < bucket + width; minute += kMinute) {
          covered.push_back(minute);
        }
      }
    }
    std::vector<int64_t> want;
    for (int64_t minute = BucketStart(RollupLevel::kMinute, from); from < to && minute < to;
         minute += kMinute) {
      want.push_back(minute);
    }
    std::sort(covered.begin(), covered.end());
    ASSERT_EQ(covered, want);
  }
}

// --- Summarize ---

TEST(RollupSummarize, ReportsCountsExtremesMeanAndPercentiles) {
  std::vector<model::CheckRecord> results;
  for (uint32_t i = 1; i <= 100; ++i) results.push_back(Ok(i * 1'000));
  results.push_back(Failure());
  const RangeSummary s = Summarize(RowOf(results));
  EXPECT_EQ(s.count, 101u);
  EXPECT_EQ(s.failures, 1u);
  EXPECT_EQ(s.min_us, 1'000u);
  EXPECT_EQ(s.max_us, 100'000u);
  EXPECT_DOUBLE_EQ(s.mean_us, 50'500.0);
  // Ranks floor(q * 99) of 1..100 ms: 50, 95 and 99 ms, each within 1%.
  EXPECT_NEAR(s.p50_us, 50'000, 500.5);
  EXPECT_NEAR(s.p95_us, 95'000, 950.5);
  EXPECT_NEAR(s.p99_us, 99'000, 990.5);
}

TEST(RollupSummarize, OnlyFailuresGiveZeroLatencies) {
  const RangeSummary s = Summarize(RowOf({Failure(), Failure(), Failure()}));
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.failures, 3u);
  EXPECT_EQ(s.min_us, 0u);
  EXPECT_EQ(s.max_us, 0u);
  EXPECT_EQ(s.mean_us, 0.0);
  EXPECT_EQ(s.p99_us, 0u);
}

}  // namespace
}  // namespace tocsin::store
