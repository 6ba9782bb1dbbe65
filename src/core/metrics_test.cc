#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tocsin::core {
namespace {

TEST(MetricsTest, CounterRendersHelpTypeAndValue) {
  Registry registry;
  Counter& started = registry.AddCounter("tocsin_started_total", "Times started.");
  started.Increment();
  started.Increment(41);
  EXPECT_EQ(started.value(), 42u);
  EXPECT_EQ(registry.RenderText(),
            "# HELP tocsin_started_total Times started.\n"
            "# TYPE tocsin_started_total counter\n"
            "tocsin_started_total 42\n");
}

TEST(MetricsTest, LabelledCounterRendersOneLinePerChildSortedByValues) {
  Registry registry;
  CounterFamily& checks = registry.AddCounter("tocsin_checks_total", "Checks run.", {"outcome"});
  Counter& timeout = checks.WithLabels({"timeout"});
  Counter& ok = checks.WithLabels({"ok"});
  ok.Increment(3);
  timeout.Increment();
  EXPECT_EQ(&checks.WithLabels({"ok"}), &ok);  // the same child, not a new one
  EXPECT_EQ(registry.RenderText(),
            "# HELP tocsin_checks_total Checks run.\n"
            "# TYPE tocsin_checks_total counter\n"
            "tocsin_checks_total{outcome=\"ok\"} 3\n"
            "tocsin_checks_total{outcome=\"timeout\"} 1\n");
}

TEST(MetricsTest, GaugeRendersIntegersAndFractionsExactly) {
  Registry registry;
  Gauge& open = registry.AddGauge("tocsin_connections", "Open connections.");
  open.Set(5);
  open.Add(-2);
  GaugeFamily& temps = registry.AddGauge("tocsin_ratio", "A ratio.", {"a", "b"});
  temps.WithLabels({"x", "y"}).Set(0.25);
  temps.WithLabels({"x", "z"}).Set(-1.5);
  EXPECT_EQ(open.value(), 3.0);
  EXPECT_EQ(registry.RenderText(),
            "# HELP tocsin_connections Open connections.\n"
            "# TYPE tocsin_connections gauge\n"
            "tocsin_connections 3\n"
            "# HELP tocsin_ratio A ratio.\n"
            "# TYPE tocsin_ratio gauge\n"
            "tocsin_ratio{a=\"x\",b=\"y\"} 0.25\n"
            "tocsin_ratio{a=\"x\",b=\"z\"} -1.5\n");
}

TEST(MetricsTest, GaugeRendersSpecialValuesInPrometheusSpelling) {
  Registry registry;
  GaugeFamily& g = registry.AddGauge("g", "h", {"k"});
  g.WithLabels({"a"}).Set(std::numeric_limits<double>::infinity());
  g.WithLabels({"b"}).Set(-std::numeric_limits<double>::infinity());
  g.WithLabels({"c"}).Set(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(registry.RenderText(),
            "# HELP g h\n# TYPE g gauge\n"
            "g{k=\"a\"} +Inf\n"
            "g{k=\"b\"} -Inf\n"
            "g{k=\"c\"} NaN\n");
}

TEST(MetricsTest, HistogramRendersCumulativeBucketsSumAndCount) {
  Registry registry;
  Histogram& latency =
      registry.AddHistogram("tocsin_check_seconds", "Check duration.", {0.125, 0.5, 1});
  latency.Observe(0.0625);
  latency.Observe(0.125);  // on a bound: counts in that bucket (le is <=)
  latency.Observe(0.25);
  latency.Observe(2.5);  // above every bound: +Inf only
  EXPECT_EQ(registry.RenderText(),
            "# HELP tocsin_check_seconds Check duration.\n"
            "# TYPE tocsin_check_seconds histogram\n"
            "tocsin_check_seconds_bucket{le=\"0.125\"} 2\n"
            "tocsin_check_seconds_bucket{le=\"0.5\"} 3\n"
            "tocsin_check_seconds_bucket{le=\"1\"} 3\n"
            "tocsin_check_seconds_bucket{le=\"+Inf\"} 4\n"
            "tocsin_check_seconds_sum 2.9375\n"
            "tocsin_check_seconds_count 4\n");
}

TEST(MetricsTest, LabelledHistogramPutsLeAfterItsLabels) {
  Registry registry;
  HistogramFamily& phase = registry.AddHistogram("p_seconds", "Phase.", {1}, {"phase"});
  phase.WithLabels({"dns"}).Observe(0.5);
  EXPECT_EQ(registry.RenderText(),
            "# HELP p_seconds Phase.\n"
            "# TYPE p_seconds histogram\n"
            "p_seconds_bucket{phase=\"dns\",le=\"1\"} 1\n"
            "p_seconds_bucket{phase=\"dns\",le=\"+Inf\"} 1\n"
            "p_seconds_sum{phase=\"dns\"} 0.5\n"
            "p_seconds_count{phase=\"dns\"} 1\n");
}

TEST(MetricsTest, HistogramSnapshotCountsEachBucketCumulatively) {
  Histogram h({1, 2, 4, std::numeric_limits<double>::infinity()});  // trailing +Inf dropped
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2, 4}));
  for (double v : {0.0, 1.0, 1.5, 3.0, 3.5, 100.0, std::numeric_limits<double>::quiet_NaN()}) {
    h.Observe(v);
  }
  Histogram::Snapshot snap = h.snapshot();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{2, 3, 5, 7}));
  EXPECT_EQ(snap.count, 7u);
  EXPECT_TRUE(std::isnan(snap.sum));
}

TEST(MetricsTest, HistogramRejectsUnsortedBounds) {
  EXPECT_THROW(Histogram({1, 1}), std::logic_error);
  EXPECT_THROW(Histogram({2, 1}), std::logic_error);
  Registry registry;
  EXPECT_THROW(registry.AddHistogram("h", "h", {0.5, 0.1}), std::logic_error);
}

TEST(MetricsTest, ExponentialBucketsMultiplyByFactor) {
  EXPECT_EQ(ExponentialBuckets(0.001, 10, 4), (std::vector<double>{0.001, 0.01, 0.1, 1}));
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Registry registry;
  CounterFamily& f = registry.AddCounter("c_total", "Help with \\ and\nnewline \"kept\".", {"v"});
  f.WithLabels({"back\\slash \"quoted\"\nline"}).Increment();
  EXPECT_EQ(registry.RenderText(),
            "# HELP c_total Help with \\\\ and\\nnewline \"kept\".\n"
            "# TYPE c_total counter\n"
            "c_total{v=\"back\\\\slash \\\"quoted\\\"\\nline\"} 1\n");
}

TEST(MetricsTest, CallbackGaugeIsReadAtScrapeTime) {
  Registry registry;
  double depth = 7;
  registry.AddCallbackGauge("tocsin_queue_depth", "Queued checks.", [&depth] { return depth; });
  depth = 12;
  EXPECT_EQ(registry.RenderText(),
            "# HELP tocsin_queue_depth Queued checks.\n"
            "# TYPE tocsin_queue_depth gauge\n"
            "tocsin_queue_depth 12\n");
}

TEST(MetricsTest, FamiliesRenderInRegistrationOrder) {
  Registry registry;
  registry.AddGauge("zeta", "z");
  registry.AddCounter("alpha_total", "a");
  const std::string text = registry.RenderText();
  EXPECT_LT(text.find("zeta"), text.find("alpha_total"));
}

TEST(MetricsTest, LabelledFamilyWithoutChildrenRendersOnlyMetadata) {
  Registry registry;
  registry.AddCounter("x_total", "X.", {"k"});
  EXPECT_EQ(registry.RenderText(), "# HELP x_total X.\n# TYPE x_total counter\n");
}

TEST(MetricsTest, InvalidNamesAreRejected) {
  Registry registry;
  EXPECT_THROW(registry.AddCounter("", "h"), std::logic_error);
  EXPECT_THROW(registry.AddCounter("9lives", "h"), std::logic_error);
  EXPECT_THROW(registry.AddCounter("has-dash", "h"), std::logic_error);
  EXPECT_THROW(registry.AddCounter("ok_total", "h", {"bad-label"}), std::logic_error);
  EXPECT_THROW(registry.AddCounter("ok_total", "h", {"__reserved"}), std::logic_error);
  EXPECT_THROW(registry.AddCounter("ok_total", "h", {"a", "a"}), std::logic_error);
  EXPECT_THROW(registry.AddHistogram("ok_seconds", "h", {1}, {"le"}), std::logic_error);
  EXPECT_NO_THROW(registry.AddCounter("ns:sub_total", "h", {"_ok", "a1"}));
  EXPECT_NO_THROW(registry.AddCounter("ok_total", "h"));  // none of the above claimed it
}

TEST(MetricsTest, DuplicateNamesAreRejected) {
  Registry registry;
  registry.AddCounter("dup_total", "h");
  EXPECT_THROW(registry.AddGauge("dup_total", "h"), std::logic_error);
  EXPECT_THROW(registry.AddCallbackGauge("dup_total", "h", [] { return 1.0; }), std::logic_error);
  registry.AddHistogram("lat_seconds", "h", {1});
  EXPECT_THROW(registry.AddCounter("lat_seconds_count", "h"), std::logic_error);
  EXPECT_THROW(registry.AddGauge("lat_seconds_bucket", "h"), std::logic_error);
}

TEST(MetricsTest, WrongNumberOfLabelValuesIsRejected) {
  Registry registry;
  CounterFamily& f = registry.AddCounter("f_total", "h", {"a", "b"});
  EXPECT_THROW(f.WithLabels({"only-one"}), std::logic_error);
}

TEST(MetricsTest, ConcurrentUpdatesFromFourThreadsSumExactly) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250'000;
  Registry registry;
  Counter& counter = registry.AddCounter("n_total", "h");
  Gauge& gauge = registry.AddGauge("g", "h");
  Histogram& histogram = registry.AddHistogram("h_seconds", "h", {0.5});
  CounterFamily& family = registry.AddCounter("f_total", "h", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Counter& child = family.WithLabels({"same"});  // racing first use: one child
      for (int i = 0; i < kPerThread; ++i) {
        counter.Increment();
        child.Increment();
        gauge.Add(1);
        histogram.Observe(i % 2 == 0 ? 0.25 : 1.0);  // exact in binary: the sum is exact
      }
    });
  }
  // Scraping while writers run is allowed.
  EXPECT_FALSE(registry.RenderText().empty());
  for (auto& thread : threads) thread.join();
  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  EXPECT_EQ(counter.value(), kTotal);
  EXPECT_EQ(family.WithLabels({"same"}).value(), kTotal);
  EXPECT_EQ(gauge.value(), static_cast<double>(kTotal));
  Histogram::Snapshot snap = histogram.snapshot();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{kTotal / 2, kTotal}));
  EXPECT_EQ(snap.sum, 0.25 * (kTotal / 2) + 1.0 * (kTotal / 2));
}

}  // namespace
}  // namespace tocsin::core
