// The rollups in a real SQLite file: summaries of any range against the
// exact figures, chart series, per-phase means, and retention.
#include "store/sqlite/store_test_support.h"

namespace tocsin::store {
namespace {

// The same fixture under its own suite name (gtest wants one class per suite).
class SqliteRollupsTest : public SqliteStoreTest {};

// --- Summaries ---

TEST_F(SqliteRollupsTest, SummarizeOf30DaysMatchesExactFigures) {
  const model::MonitorId id = Register("thirty-days");
  const auto results = SyntheticResults(id, kBaseS, 30 * kDay / kMinute, 1);
  WriteInBatches(results, 1'000);

  const RangeSummary exact = ExactSummary(results, kBaseS, kBaseS + 30 * kDay);
  ASSERT_EQ(exact.count, 43'200u);
  ASSERT_GT(exact.failures, 300u);  // about 1%
  ExpectWithinAccuracy(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + 30 * kDay)),
                       exact);
}

TEST_F(SqliteRollupsTest, SummarizeOfRaggedRangeMatchesExactFigures) {
  const model::MonitorId id = Register("ragged");
  const auto results = SyntheticResults(id, kBaseS, 30 * kDay / kMinute, 2);
  WriteInBatches(results, 1'000);

  // Minutes, then hours, then whole days, then hours and minutes again.
  const int64_t from = kBaseS + 3 * kDay + 5 * kHour + 17 * kMinute;
  const int64_t to = kBaseS + 20 * kDay + 13 * kHour + 42 * kMinute;
  const RangeSummary exact = ExactSummary(results, from, to);
  ASSERT_EQ(exact.count, static_cast<uint64_t>((to - from) / kMinute));
  const RangeSummary got = ValueOrThrow(store_->results().Summarize(id, from, to));
  ExpectWithinAccuracy(got, exact, /*with_phases=*/false);
  // Phases come from the whole hours and days in it, not the ragged minutes.
  EXPECT_GT(got.phased, exact.phased * 9 / 10);
  EXPECT_LT(got.phased, exact.phased);
}

TEST_F(SqliteRollupsTest, SummarizeOfWholeDaysEqualsMergedMinuteRollups) {
  const model::MonitorId id = Register("days");
  WriteInBatches(SyntheticResults(id, kBaseS, 3 * kDay / kMinute, 3), 700);

  RawDb raw(db_path_);
  for (const auto& [from, to] :
       {std::pair{kBaseS, kBaseS + 3 * kDay}, std::pair{kBaseS + kDay, kBaseS + 2 * kDay},
        std::pair{kBaseS + 5 * kHour, kBaseS + 2 * kDay + 7 * kHour}}) {
    SCOPED_TRACE("range [" + std::to_string(from) + ", " + std::to_string(to) + ")");
    const RangeSummary from_minutes =
        store::Summarize(raw.MergedRollups(id, RollupLevel::kMinute, from, to));
    ExpectSameSummary(ValueOrThrow(store_->results().Summarize(id, from, to)), from_minutes,
                      /*with_phases=*/false);
  }
}

// With the finer rollups gone, whole days are still summarized (from the day
// rows), and a range inside one hour finds nothing.
TEST_F(SqliteRollupsTest, SummarizeReadsDayRollupsForWholeDays) {
  const model::MonitorId id = Register("days-only");
  WriteInBatches(SyntheticResults(id, kBaseS, 2 * kDay / kMinute, 4), 1'000);
  const RangeSummary before =
      ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + 2 * kDay));
  ASSERT_EQ(before.count, 2 * kDay / kMinute);

  RawDb raw(db_path_);
  raw.Exec("DELETE FROM rollups WHERE level IN (0, 1)");
  ExpectSameSummary(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + 2 * kDay)),
                    before);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id, kBaseS + kHour, kBaseS + 2 * kHour)).count,
            0u);
}

TEST_F(SqliteRollupsTest, SeriesGivesEachBucketItsOwnSummaryInOrder) {
  const model::MonitorId id = Register("series");
  WriteInBatches(SyntheticResults(id, kBaseS, 2 * kDay / kMinute, 6), 1'000);
  const auto hours =
      ValueOrThrow(store_->results().Series(id, RollupLevel::kHour, kBaseS, kBaseS + 2 * kDay));
  ASSERT_EQ(hours.size(), 48u);
  for (size_t i = 0; i < hours.size(); ++i) {
    SCOPED_TRACE("hour " + std::to_string(i));
    EXPECT_EQ(hours[i].bucket_s, kBaseS + static_cast<int64_t>(i) * kHour);
    EXPECT_EQ(hours[i].summary.count, 60u);
    ExpectSameSummary(hours[i].summary, ValueOrThrow(store_->results().Summarize(
                                            id, hours[i].bucket_s, hours[i].bucket_s + kHour)));
  }
  const auto days =
      ValueOrThrow(store_->results().Series(id, RollupLevel::kDay, kBaseS, kBaseS + 2 * kDay));
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[1].bucket_s, kBaseS + kDay);
  EXPECT_EQ(days[0].summary.count + days[1].summary.count, 2 * kDay / kMinute);
  // Half-open, and per monitor.
  EXPECT_EQ(ValueOrThrow(store_->results().Series(id, RollupLevel::kHour, kBaseS + kHour,
                                                  kBaseS + 3 * kHour))
                .size(),
            2u);
  EXPECT_TRUE(
      ValueOrThrow(store_->results().Series(id + 1, RollupLevel::kHour, kBaseS, kBaseS + kDay))
          .empty());
}

TEST_F(SqliteRollupsTest, SummarizeOfEmptyRangeIsEmpty) {
  const model::MonitorId id = Register("empty");
  WriteInBatches(SyntheticResults(id, kBaseS, 60, 5), 100);
  const RangeSummary s = ValueOrThrow(store_->results().Summarize(id, kBaseS + 600, kBaseS + 600));
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id + 1, kBaseS, kBaseS + kDay)).count, 0u);
}

// --- Phases ---

// The stacked chart of a long range: each hour's phase means are the exact
// means of its successful checks (failures count in no phase).
TEST_F(SqliteRollupsTest, SeriesGivesEachHourItsExactPhaseMeans) {
  const model::MonitorId id = Register("phases");
  const auto results = SyntheticResults(id, kBaseS, 3 * kHour / kMinute, 7);
  WriteInBatches(results, 37);
  const auto hours =
      ValueOrThrow(store_->results().Series(id, RollupLevel::kHour, kBaseS, kBaseS + 3 * kHour));
  ASSERT_EQ(hours.size(), 3u);
  for (const BucketSummary& hour : hours) {
    const RangeSummary exact = ExactSummary(results, hour.bucket_s, hour.bucket_s + kHour);
    ASSERT_GT(exact.phased, 0u);
    EXPECT_EQ(hour.summary.phased, exact.phased);
    for (size_t i = 0; i < kPhaseCount; ++i) {
      EXPECT_NEAR(hour.summary.phase_mean_us[i], exact.phase_mean_us[i], 1e-9) << "phase " << i;
    }
  }
  // The phases add up to the total of each check, so their means to the mean.
  double phases = 0;
  for (double m : hours[0].summary.phase_mean_us) phases += m;
  EXPECT_NEAR(phases, hours[0].summary.mean_us, 1e-6);
}

// A database from before phases were kept (version 4): its rollups keep
// their counts and percentiles and count no phased check, so the means of a
// range spanning the upgrade are over the new checks only, never diluted by
// zeros.
TEST_F(SqliteRollupsTest, RollupsFromBeforeVersion5CountInTotalsButNotInPhaseMeans) {
  Close();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path_ + suffix);
  stats::LatencySketch old_sketch;
  for (int i = 0; i < 10; ++i) old_sketch.Add(50'000);
  std::string hex;
  for (unsigned char c : old_sketch.Serialize()) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  {
    sqlite3* file = nullptr;
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &file), SQLITE_OK);
    sqlite3_close(file);
    RawDb raw(db_path_);
    raw.Exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER "
        "NOT NULL)");
    for (const auto& m : sqlite::Migrations()) {
      if (m.version > 4) break;
      raw.Exec(m.sql);
      raw.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 0)");
    }
    raw.Exec(
        "INSERT INTO monitors (id, name, owner, url, options_json, interval_us, enabled, "
        "created_at, updated_at) VALUES (3, 'old', 0, 'https://old.example/', '{}', "
        "60000000, 1, 0, 0)");
    // Ten checks of 50 ms in the first hour, at each level.
    for (const auto& [level, bucket] : {std::pair{1, kBaseS}, std::pair{2, kBaseS}}) {
      raw.Exec("INSERT INTO rollups VALUES (3, " + std::to_string(level) + ", " +
               std::to_string(bucket) + ", 10, 0, 50000, 50000, 500000, X'" + hex + "')");
    }
  }
  Open();
  // Ten more in the second hour, now with phases.
  std::vector<model::CheckRecord> fresh;
  for (int i = 0; i < 10; ++i)
    fresh.push_back(OkResult(3, (kBaseS + kHour + i * 60) * 1000, 80'000));
  WriteInBatches(fresh, 4);

  const RangeSummary day = ValueOrThrow(store_->results().Summarize(3, kBaseS, kBaseS + kDay));
  EXPECT_EQ(day.count, 20u);
  EXPECT_DOUBLE_EQ(day.mean_us, 65'000);
  EXPECT_EQ(day.phased, 10u);
  EXPECT_DOUBLE_EQ(day.phase_mean_us[static_cast<size_t>(Phase::kDns)], 8'000);
  EXPECT_DOUBLE_EQ(day.phase_mean_us[static_cast<size_t>(Phase::kTls)], 16'000);
  EXPECT_DOUBLE_EQ(day.phase_mean_us[static_cast<size_t>(Phase::kFirstByte)], 40'000);
  const auto hours =
      ValueOrThrow(store_->results().Series(3, RollupLevel::kHour, kBaseS, kBaseS + kDay));
  ASSERT_EQ(hours.size(), 2u);
  EXPECT_EQ(hours[0].summary.count, 10u);
  EXPECT_EQ(hours[0].summary.phased, 0u);
  EXPECT_EQ(hours[0].summary.phase_mean_us, (std::array<double, kPhaseCount>{}));
  EXPECT_EQ(hours[1].summary.phased, 10u);
}

// The response time's median and p95 (the weekly summary's) come from hour
// and day rows; minute rows keep no response sketch, so a range of ragged
// minutes has none.
TEST_F(SqliteRollupsTest, ResponsePercentilesAndPhasesComeFromHoursAndDaysOnly) {
  const model::MonitorId id = Register("response");
  const auto results = SyntheticResults(id, kBaseS, 2 * kDay / kMinute, 8);
  WriteInBatches(results, 500);
  std::vector<uint32_t> ok;
  for (const auto& r : results) {
    if (r.ok()) ok.push_back(r.response_us());
  }
  std::sort(ok.begin(), ok.end());
  const auto at = [&ok](double q) {
    return ok[static_cast<size_t>(q * static_cast<double>(ok.size() - 1))];
  };
  const RangeSummary days =
      ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + 2 * kDay));
  EXPECT_EQ(days.response_checks, ok.size());
  EXPECT_TRUE(WithinSketchAccuracy(days.response_p50_us, at(0.50)));
  EXPECT_TRUE(WithinSketchAccuracy(days.response_p95_us, at(0.95)));
  const RangeSummary hours =
      ValueOrThrow(store_->results().Summarize(id, kBaseS + kHour, kBaseS + 5 * kHour));
  EXPECT_EQ(hours.response_checks, hours.count - hours.failures);

  const RangeSummary minutes =
      ValueOrThrow(store_->results().Summarize(id, kBaseS + 5 * kMinute, kBaseS + 20 * kMinute));
  EXPECT_GT(minutes.count, 0u);
  EXPECT_EQ(minutes.response_checks, 0u);
  EXPECT_EQ(minutes.phased, 0u);
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups WHERE level = 0 AND (length(response_sketch) > 0 "
                    "OR phased > 0 OR ttfb_sum_us > 0)"),
            0);
  EXPECT_GT(raw.Int("SELECT count(*) FROM rollups WHERE level = 1 AND length(response_sketch) > 0"),
            0);
}

// --- Retention ---

TEST_F(SqliteRollupsTest, DeleteExpiredRemovesOnlyOlderRawRowsDetailsAndMinuteRollups) {
  const model::MonitorId old_id = Register("old");
  const model::MonitorId new_id = Register("new");
  // Every 20 s for three hours, every tenth a failure with a detail.
  std::vector<model::CheckRecord> batch;
  for (int i = 0; i < 3 * 180; ++i) {
    const int64_t ts = kBaseMs + i * 20'000;
    batch.push_back(i % 10 == 0 ? FailedResult(old_id, ts, "refused #" + std::to_string(i))
                                : OkResult(old_id, ts, 1'000 + i));
  }
  batch.push_back(OkResult(new_id, kBaseMs + 3 * kHour * 1000, 5));
  OkOrThrow(store_->results().WriteBatch(batch));
  RawDb raw(db_path_);
  const int64_t coarse_rows = raw.Int("SELECT count(*) FROM rollups WHERE level > 0");
  const RangeSummary first_hour =
      ValueOrThrow(store_->results().Summarize(old_id, kBaseS, kBaseS + kHour));

  const int64_t cut_ms = kBaseMs + 2 * kHour * 1000;
  EXPECT_EQ(ValueOrThrow(store_->results().DeleteExpired(cut_ms, kNoLimit)), 360u);

  const auto kept = ValueOrThrow(store_->results().QueryResults(old_id, 0, kForeverMs, 10'000));
  ASSERT_EQ(kept.size(), 180u);
  EXPECT_EQ(kept.front().ts_ms, cut_ms);
  EXPECT_EQ(kept.front().detail, "refused #360");
  EXPECT_EQ(RawRows(), 181u);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM result_details WHERE ts < " + std::to_string(cut_ms)), 0);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM result_details"), 18);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups WHERE level = 0 AND monitor_id = " +
                    std::to_string(old_id)),
            60);
  EXPECT_EQ(raw.Int("SELECT min(bucket) FROM rollups WHERE level = 0 AND monitor_id = " +
                    std::to_string(old_id)),
            cut_ms / 1000);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups WHERE level > 0"), coarse_rows);
  ExpectSameSummary(ValueOrThrow(store_->results().Summarize(old_id, kBaseS, kBaseS + kHour)),
                    first_hour);
  EXPECT_EQ(ValueOrThrow(store_->results().QueryResults(new_id, 0, kForeverMs, 10)).size(), 1u);
}

// Regression: the minute holding the cut-off was deleted although the
// results of its second half are kept.
TEST_F(SqliteRollupsTest, DeleteExpiredKeepsTheMinuteRollupHoldingTheCutOff) {
  const model::MonitorId id = Register("straddle");
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 10),
                                                     OkResult(id, kBaseMs + 20'000, 20),
                                                     OkResult(id, kBaseMs + 40'000, 30)}));
  EXPECT_EQ(ValueOrThrow(store_->results().DeleteExpired(kBaseMs + 30'000, kNoLimit)), 2u);
  EXPECT_EQ(RawRows(), 1u);
  RawDb raw(db_path_);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups WHERE level = 0"), 1);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + kMinute)).count, 3u);

  EXPECT_EQ(ValueOrThrow(store_->results().DeleteExpired(kBaseMs + 60'000, kNoLimit)), 1u);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups WHERE level = 0"), 0);
}

TEST_F(SqliteRollupsTest, DeleteExpiredWorksThroughMonitorsInSlices) {
  std::vector<model::CheckRecord> batch;
  for (const char* name : {"s1", "s2", "s3"}) {
    const model::MonitorId id = Register(name);
    for (int i = 0; i < 100; ++i) batch.push_back(OkResult(id, kBaseMs + i * 1'000, 100));
  }
  OkOrThrow(store_->results().WriteBatch(batch));

  const size_t first = ValueOrThrow(store_->results().DeleteExpired(kForeverMs, 150));
  EXPECT_GE(first, 150u);
  EXPECT_LT(first, 300u);
  size_t total = first;
  for (int call = 0; call < 10 && total < 300; ++call) {
    total += ValueOrThrow(store_->results().DeleteExpired(kForeverMs, 150));
  }
  EXPECT_EQ(total, 300u);
  EXPECT_EQ(RawRows(), 0u);
  EXPECT_EQ(ValueOrThrow(store_->results().DeleteExpired(kForeverMs, 150)), 0u);
}

}  // namespace
}  // namespace tocsin::store
