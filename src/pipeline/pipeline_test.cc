#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "core/temp_dir.h"
#include "store/store.h"

namespace tocsin::pipeline {
namespace {

// A results store that keeps what it is given.
class MemoryResults final : public store::ResultStore {
 public:
  Status WriteBatch(std::span<const model::CheckRecord> results) override {
    std::lock_guard lock(mu_);
    written_.insert(written_.end(), results.begin(), results.end());
    return {};
  }
  Result<size_t> DeleteExpired(int64_t, size_t) override { return size_t{0}; }
  Result<std::vector<model::CheckRecord>> QueryResults(model::MonitorId, int64_t, int64_t,
                                                       size_t) override {
    return std::vector<model::CheckRecord>{};
  }
  Result<store::RangeSummary> Summarize(model::MonitorId, int64_t, int64_t) override {
    return store::RangeSummary{};
  }
  Result<std::vector<store::BucketSummary>> Series(model::MonitorId, store::RollupLevel, int64_t,
                                                   int64_t) override {
    return std::vector<store::BucketSummary>{};
  }
  Result<std::vector<model::LatestState>> LoadLatest() override {
    return std::vector<model::LatestState>{};
  }
  Result<store::StoreStats> Stats() override { return store::StoreStats{}; }

  std::vector<model::CheckRecord> written() {
    std::lock_guard lock(mu_);
    return written_;
  }

 private:
  std::mutex mu_;
  std::vector<model::CheckRecord> written_;
};

model::CheckRecord Record(model::MonitorId monitor, int64_t ts_ms, model::Outcome outcome) {
  model::CheckRecord r;
  r.monitor = monitor;
  r.ts_ms = ts_ms;
  r.outcome = outcome;
  r.total_us = 1'000;
  return r;
}

TEST(PipelineTest, AResultIsCountedShownAndStored) {
  MemoryResults results;
  core::Registry metrics;
  Pipeline pipeline(results, {.recorder = {.batch_interval = 1'000}}, metrics);
  pipeline.Accept(Record(7, 1'000, model::Outcome::kOk));
  pipeline.Accept(Record(7, 2'000, model::Outcome::kTimeout));

  // Counted and shown at once, before the store has it.
  EXPECT_NE(metrics.RenderText().find("tocsin_checks_total{outcome=\"timeout\"} 1"),
            std::string::npos);
  auto latest = pipeline.latest().Find(7);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->ts_ms, 2'000);
  EXPECT_EQ(latest->outcome, model::Outcome::kTimeout);

  pipeline.Stop();  // commits what is queued
  const auto written = results.written();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[1], Record(7, 2'000, model::Outcome::kTimeout));
  EXPECT_EQ(pipeline.recorder_stats().committed, 2u);
}

TEST(PipelineTest, AnOlderResultArrivingLateDoesNotReplaceTheLatest) {
  MemoryResults results;
  core::Registry metrics;
  Pipeline pipeline(results, {}, metrics);
  pipeline.Accept(Record(1, 5'000, model::Outcome::kOk));
  pipeline.Accept(Record(1, 4'000, model::Outcome::kDnsError));  // from a slower location
  EXPECT_EQ(pipeline.latest().Find(1)->outcome, model::Outcome::kOk);
  EXPECT_FALSE(pipeline.latest().Find(2).has_value());
}

TEST(PipelineTest, AResultTakenInMaintenanceIsMarkedAndStillStored) {
  TempDir dir("tocsin-pipeline-test");
  auto store = store::OpenSqliteStore({.path = dir.path() + "/t.db"});
  ASSERT_TRUE(store.ok());
  auto alerts = alert::AlertEngine::Start((*store)->alerts(), {}, nullptr, nullptr);
  ASSERT_TRUE(alerts.ok());
  model::MaintenanceWindow w;
  w.name = "now";
  w.monitors = {1};
  w.start_local_s = UnixMicros() / 1'000'000 - 60;
  w.duration = 3'600'000'000;
  alert::MonitorRules rules;
  rules.id = 1;
  (*alerts)->SetRules({rules}, *alert::MaintenanceSchedule::Build({w}));
  core::Registry metrics;
  {
    Pipeline pipeline((*store)->results(), {.alerts = alerts->get()}, metrics);
    const int64_t now_ms = UnixMicros() / 1000;
    pipeline.Accept(Record(1, now_ms, model::Outcome::kTimeout));
    pipeline.Accept(Record(2, now_ms, model::Outcome::kTimeout));  // not in the window
  }                                                                // stopped: committed
  const auto one = (*store)->results().QueryResults(1, 0, INT64_MAX, 10);
  const auto two = (*store)->results().QueryResults(2, 0, INT64_MAX, 10);
  ASSERT_EQ(one->size(), 1u);
  ASSERT_EQ(two->size(), 1u);
  EXPECT_TRUE((*one)[0].in_maintenance);
  EXPECT_FALSE((*two)[0].in_maintenance);
}

}  // namespace
}  // namespace tocsin::pipeline
