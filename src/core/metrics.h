// Prometheus-style instruments (counters, gauges, histograms) that hot paths
// update lock-free from any thread, and the Registry that renders them in the
// Prometheus text exposition format, version 0.0.4, for /metrics.
//
// Usage: register every metric once at start-up, keep the returned
// references, update them on the hot path:
//
//   core::Registry registry;
//   auto& checks = registry.AddCounter("tocsin_checks_total", "Checks run.", {"outcome"});
//   core::Counter& ok = checks.WithLabels({"ok"});  // look up once, keep
//   ok.Increment();                                // hot path: one relaxed atomic add
//   registry.AddCallbackGauge("tocsin_queue_depth", "Checks queued.", [&] { return q.size(); });
//   std::string body = registry.RenderText();      // on scrape
//
// Thread-safety: every method of every class here may be called from any
// thread. Instrument updates take no lock; Add*, WithLabels and RenderText
// take short internal locks. References returned by the Registry stay valid
// for the Registry's lifetime.
//
// Registration mistakes (a bad or duplicate name, label values that do not
// match the label names, unsorted histogram bounds) are programming errors
// and throw std::logic_error.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::core {

// The Content-Type of RenderText()'s output.
inline constexpr std::string_view kPrometheusTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing count: requests served, checks failed.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down: connections open, last run's duration.
// Holds a double (as Prometheus does); integers are exact up to 2^53.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  // Lock-free (a compare-exchange loop); use a negative delta to subtract.
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  static_assert(std::atomic<double>::is_always_lock_free);
  std::atomic<double> value_{0};
};

// Counts observations into fixed buckets, in the unit of the metric
// (seconds for durations, as Prometheus recommends).
class Histogram {
 public:
  // REQUIRES: upper_bounds strictly increasing and not NaN. The +Inf bucket
  // is implied (a trailing +Inf given here is dropped). Throws
  // std::logic_error otherwise.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts `value` in the first bucket whose upper bound is >= value (NaN
  // counts in +Inf only) and adds it to the sum. Lock-free.
  void Observe(double value);

  struct Snapshot {
    // cumulative[i] = observations <= upper_bounds()[i]; the last entry,
    // one past the bounds, is the +Inf bucket and equals count.
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  // Read without stopping writers: each field is exact, but an observation
  // racing with the snapshot may be in the counts and not yet in the sum.
  Snapshot snapshot() const;

  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  // Per-bucket (not cumulative) counts, bounds_.size() + 1 of them.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// `count` bounds: start, start*factor, start*factor^2, ...
// REQUIRES: start > 0, factor > 1, count >= 1 (else std::logic_error).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

namespace metrics_internal {

// What the Registry keeps: one named metric with its HELP and TYPE.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string_view type);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  // Appends "# HELP", "# TYPE" and the samples.
  void Render(std::string& out) const;

 private:
  virtual void RenderSamples(std::string& out) const = 0;

  std::string name_;
  std::string help_;
  std::string_view type_;
};

}  // namespace metrics_internal

// A metric with a fixed list of label names and one instrument (child) per
// tuple of label values, e.g. tocsin_checks_total{outcome="ok"}.
template <typename Instrument>
class Family final : public metrics_internal::FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<Instrument>()>;

  // Use Registry::Add*.
  Family(std::string name, std::string help, std::string_view type,
         std::vector<std::string> label_names, Factory factory);

  // The child for these label values (in the order of label_names()),
  // created on first use. Takes a lock and allocates: call it once and keep
  // the reference, which stays valid for the family's lifetime.
  // REQUIRES: values.size() == label_names().size() (else std::logic_error).
  Instrument& WithLabels(std::initializer_list<std::string_view> values);
  Instrument& WithLabels(const std::vector<std::string>& values);

  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  struct Child {
    std::string rendered_labels;  // name="escaped value",... without braces
    std::unique_ptr<Instrument> instrument;
  };

  void RenderSamples(std::string& out) const override;

  const std::vector<std::string> label_names_;
  const Factory factory_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, Child> children_;  // guarded by mu_; sorted: stable output
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// Owns every metric of a process (pass it by reference; there is no global
// one) and renders them. Families render in registration order.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
  // [a-zA-Z_][a-zA-Z0-9_]* and do not start with "__". A name may be
  // registered once, and a histogram also claims name_bucket, name_sum and
  // name_count.
  Counter& AddCounter(std::string_view name, std::string_view help);
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names);
  Gauge& AddGauge(std::string_view name, std::string_view help);
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names);
  Histogram& AddHistogram(std::string_view name, std::string_view help,
                          std::vector<double> upper_bounds);
  // "le" is reserved for the bucket label.
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<double> upper_bounds,
                                std::vector<std::string> label_names);

  // A gauge read at scrape time (queue depth, in-flight checks). `read` runs
  // on the thread calling RenderText(), under the registry's lock: it must be
  // thread-safe, quick, must not throw and must not call into this Registry.
  void AddCallbackGauge(std::string_view name, std::string_view help, std::function<double()> read);

  // The text exposition format 0.0.4 (kPrometheusTextContentType).
  std::string RenderText() const;

 private:
  // Checks the name, claims it (and `suffixes` appended to it), stores the family.
  template <typename F>
  F& Register(std::unique_ptr<F> family, std::initializer_list<std::string_view> suffixes);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<metrics_internal::FamilyBase>> families_;  // guarded by mu_
  std::set<std::string, std::less<>> claimed_names_;                     // guarded by mu_
};

}  // namespace tocsin::core
