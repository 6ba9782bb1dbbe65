// Metrics hot path: Tocsin's core::metrics against prometheus-cpp 1.0, side
// by side in one run (Google Benchmark). Question: is prometheus-cpp's
// registry at least as cheap as ours where the service pays for metrics on
// every check, so that we could use it instead of our own?
//
//   build/bench/metrics_hotpath [--benchmark_repetitions=N ...]
//
// Measured, each for ours and for prometheus-cpp:
//   - Counter::Increment() on one counter, by 1 thread and by 2 threads
//     hammering the same counter;
//   - Histogram::Observe() on one histogram with the 13 bounds of
//     tocsin_schedule_lag_seconds (src/schedule/scheduler.cc kLagBuckets),
//     values cycling through all 14 buckets, by 1 and by 2 threads;
//   - a scrape of 1,000 counter series (one family, label monitor="m0".."m999"):
//     ours is Registry::RenderText(), prometheus-cpp's is
//     TextSerializer::Serialize(Registry::Collect()), both into a std::string.
//
// Every benchmark uses wall-clock time (UseRealTime) so that a thread blocked
// on a lock is counted. Google Benchmark divides the wall time by the calls of
// all threads together: with 2 threads, "Time" is wall time per call of the
// pair (one over their combined rate); each thread waits twice that per call.
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"

namespace {

namespace core = tocsin::core;

// The bounds of tocsin_schedule_lag_seconds (src/schedule/scheduler.cc).
const std::vector<double> kBounds = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                     0.2,   0.5,   1,     2,    5,    10};

constexpr size_t kValueCount = 64;  // a power of two: the index wraps with a mask
constexpr int kSeries = 1000;

// Observed values: log-spaced from 0.1 ms to 20 s, so every bucket, +Inf
// included, gets some; both libraries see the same sequence.
const std::array<double, kValueCount>& Values() {
  static const std::array<double, kValueCount> values = [] {
    std::array<double, kValueCount> v{};
    for (size_t i = 0; i < kValueCount; ++i) {
      v[i] = 1e-4 * std::pow(2e5, static_cast<double>(i) / (kValueCount - 1));
    }
    return v;
  }();
  return values;
}

// --- ours -----------------------------------------------------------------

core::Registry& OurRegistry() {
  static core::Registry registry;
  return registry;
}

core::Counter& OurCounter() {
  static core::Counter& counter =
      OurRegistry().AddCounter("bench_increments_total", "Counter under test.");
  return counter;
}

core::Histogram& OurHistogram() {
  static core::Histogram& histogram =
      OurRegistry().AddHistogram("bench_observe_seconds", "Histogram under test.", kBounds);
  return histogram;
}

// 1,000 series, series i counted i + 1 times.
const core::Registry& OurScrapeRegistry() {
  static const std::unique_ptr<core::Registry> registry = [] {
    auto r = std::make_unique<core::Registry>();
    auto& family = r->AddCounter("bench_checks_total", "Checks run.", {"monitor"});
    for (int i = 0; i < kSeries; ++i) {
      family.WithLabels({"m" + std::to_string(i)}).Increment(static_cast<uint64_t>(i) + 1);
    }
    return r;
  }();
  return *registry;
}

void BM_CounterIncrement_Ours(benchmark::State& state) {
  core::Counter& counter = OurCounter();
  for (auto _ : state) counter.Increment();
}

void BM_HistogramObserve_Ours(benchmark::State& state) {
  core::Histogram& histogram = OurHistogram();
  const auto& values = Values();
  size_t i = static_cast<size_t>(state.thread_index()) * (kValueCount / 2);
  for (auto _ : state) histogram.Observe(values[i++ & (kValueCount - 1)]);
}

void BM_Scrape1000Series_Ours(benchmark::State& state) {
  const core::Registry& registry = OurScrapeRegistry();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = registry.RenderText();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

// --- prometheus-cpp ---------------------------------------------------------

prometheus::Registry& PromRegistry() {
  static prometheus::Registry registry;
  return registry;
}

prometheus::Counter& PromCounter() {
  static prometheus::Counter& counter = prometheus::BuildCounter()
                                            .Name("bench_increments_total")
                                            .Help("Counter under test.")
                                            .Register(PromRegistry())
                                            .Add({});
  return counter;
}

prometheus::Histogram& PromHistogram() {
  static prometheus::Histogram& histogram = prometheus::BuildHistogram()
                                                .Name("bench_observe_seconds")
                                                .Help("Histogram under test.")
                                                .Register(PromRegistry())
                                                .Add({}, kBounds);
  return histogram;
}

const prometheus::Registry& PromScrapeRegistry() {
  static const std::unique_ptr<prometheus::Registry> registry = [] {
    auto r = std::make_unique<prometheus::Registry>();
    auto& family =
        prometheus::BuildCounter().Name("bench_checks_total").Help("Checks run.").Register(*r);
    for (int i = 0; i < kSeries; ++i) {
      family.Add({{"monitor", "m" + std::to_string(i)}}).Increment(static_cast<double>(i) + 1);
    }
    return r;
  }();
  return *registry;
}

void BM_CounterIncrement_PrometheusCpp(benchmark::State& state) {
  prometheus::Counter& counter = PromCounter();
  for (auto _ : state) counter.Increment();
}

void BM_HistogramObserve_PrometheusCpp(benchmark::State& state) {
  prometheus::Histogram& histogram = PromHistogram();
  const auto& values = Values();
  size_t i = static_cast<size_t>(state.thread_index()) * (kValueCount / 2);
  for (auto _ : state) histogram.Observe(values[i++ & (kValueCount - 1)]);
}

void BM_Scrape1000Series_PrometheusCpp(benchmark::State& state) {
  const prometheus::Registry& registry = PromScrapeRegistry();
  const prometheus::TextSerializer serializer;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = serializer.Serialize(registry.Collect());
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

// Pairs side by side: ours, then prometheus-cpp, for 1 thread then 2.
BENCHMARK(BM_CounterIncrement_Ours)->UseRealTime()->Threads(1);
BENCHMARK(BM_CounterIncrement_PrometheusCpp)->UseRealTime()->Threads(1);
BENCHMARK(BM_CounterIncrement_Ours)->UseRealTime()->Threads(2);
BENCHMARK(BM_CounterIncrement_PrometheusCpp)->UseRealTime()->Threads(2);
BENCHMARK(BM_HistogramObserve_Ours)->UseRealTime()->Threads(1);
BENCHMARK(BM_HistogramObserve_PrometheusCpp)->UseRealTime()->Threads(1);
BENCHMARK(BM_HistogramObserve_Ours)->UseRealTime()->Threads(2);
BENCHMARK(BM_HistogramObserve_PrometheusCpp)->UseRealTime()->Threads(2);
BENCHMARK(BM_Scrape1000Series_Ours)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Scrape1000Series_PrometheusCpp)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
