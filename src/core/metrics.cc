// Instruments and the Prometheus text rendering (exposition format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <utility>

namespace tocsin::core {
namespace {

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || IsDigit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiLetter(c) || IsDigit(c) || c == '_' || c == ':'; });
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || IsDigit(name.front()) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiLetter(c) || IsDigit(c) || c == '_'; });
}

void CheckLabelNames(std::string_view metric, const std::vector<std::string>& names,
                     bool is_histogram) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (!IsValidLabelName(names[i])) {
      throw std::logic_error(fmt::format("metric {}: invalid label name \"{}\"", metric, names[i]));
    }
    if (is_histogram && names[i] == "le") {
      throw std::logic_error(fmt::format("histogram {}: label name \"le\" is reserved", metric));
    }
    if (std::find(names.begin(), names.begin() + static_cast<ptrdiff_t>(i), names[i]) !=
        names.begin() + static_cast<ptrdiff_t>(i)) {
      throw std::logic_error(
          fmt::format("metric {}: duplicate label name \"{}\"", metric, names[i]));
    }
  }
}

// Label values may hold anything; the format escapes backslash, double
// quote and line feed.
void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// HELP text escapes backslash and line feed (not quotes).
void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// Shortest exact decimal ("1", "0.25", "1e+20"); the format's spellings of
// the special values.
void AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

// One sample line: name{labels,extra} value
void AppendSampleStart(std::string& out, std::string_view name, std::string_view labels,
                       std::string_view extra_label = {}) {
  out += name;
  if (!labels.empty() || !extra_label.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra_label.empty()) out += ',';
    out += extra_label;
    out += '}';
  }
  out += ' ';
}

void RenderInstrument(std::string& out, std::string_view name, std::string_view labels,
                      const Counter& counter) {
  AppendSampleStart(out, name, labels);
  fmt::format_to(std::back_inserter(out), "{}\n", counter.value());
}

void RenderInstrument(std::string& out, std::string_view name, std::string_view labels,
                      const Gauge& gauge) {
  AppendSampleStart(out, name, labels);
  AppendDouble(out, gauge.value());
  out += '\n';
}

void RenderInstrument(std::string& out, std::string_view name, std::string_view labels,
                      const Histogram& histogram) {
  const Histogram::Snapshot snap = histogram.snapshot();
  const std::vector<double>& bounds = histogram.upper_bounds();
  const std::string bucket_name = fmt::format("{}_bucket", name);
  std::string le;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    le = "le=\"";
    AppendDouble(le, i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity());
    le += '"';
    AppendSampleStart(out, bucket_name, labels, le);
    fmt::format_to(std::back_inserter(out), "{}\n", snap.cumulative[i]);
  }
  AppendSampleStart(out, fmt::format("{}_sum", name), labels);
  AppendDouble(out, snap.sum);
  out += '\n';
  AppendSampleStart(out, fmt::format("{}_count", name), labels);
  fmt::format_to(std::back_inserter(out), "{}\n", snap.count);
}

class CallbackGauge final : public metrics_internal::FamilyBase {
 public:
  CallbackGauge(std::string name, std::string help, std::function<double()> read)
      : FamilyBase(std::move(name), std::move(help), "gauge"), read_(std::move(read)) {}

 private:
  void RenderSamples(std::string& out) const override {
    AppendSampleStart(out, this->name(), {});
    AppendDouble(out, read_());
    out += '\n';
  }

  std::function<double()> read_;
};

}  // namespace

// --- Histogram ---

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  if (!bounds_.empty() && bounds_.back() == std::numeric_limits<double>::infinity()) {
    bounds_.pop_back();
  }
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (std::isnan(bounds_[i]) || (i > 0 && !(bounds_[i - 1] < bounds_[i]))) {
      throw std::logic_error("histogram bucket bounds must be strictly increasing numbers");
    }
  }
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap;
  snap.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snap.cumulative[i] = running;
  }
  // The count is derived from the buckets so that _count always equals the
  // +Inf bucket, as the format requires.
  snap.count = running;
  snap.sum = sum_.load(std::memory_order_relaxed);
  return snap;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  if (!(start > 0) || !(factor > 1) || count < 1) {
    throw std::logic_error("ExponentialBuckets needs start > 0, factor > 1, count >= 1");
  }
  std::vector<double> bounds;
  bounds.reserve(static_cast<size_t>(count));
  double bound = start;
  for (int i = 0; i < count; ++i) {
    bounds.push_back(bound);
    bound *= factor;
  }
  return bounds;
}

// --- Families ---

namespace metrics_internal {

FamilyBase::FamilyBase(std::string name, std::string help, std::string_view type)
    : name_(std::move(name)), help_(std::move(help)), type_(type) {}

void FamilyBase::Render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  AppendEscapedHelp(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_;
  out += '\n';
  RenderSamples(out);
}

}  // namespace metrics_internal

template <typename Instrument>
Family<Instrument>::Family(std::string name, std::string help, std::string_view type,
                           std::vector<std::string> label_names, Factory factory)
    : FamilyBase(std::move(name), std::move(help), type),
      label_names_(std::move(label_names)),
      factory_(std::move(factory)) {}

template <typename Instrument>
Instrument& Family<Instrument>::WithLabels(std::initializer_list<std::string_view> values) {
  return WithLabels(std::vector<std::string>(values.begin(), values.end()));
}

template <typename Instrument>
Instrument& Family<Instrument>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    throw std::logic_error(fmt::format("metric {}: {} label values given for {} label names",
                                       name(), values.size(), label_names_.size()));
  }
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    Child child;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) child.rendered_labels += ',';
      child.rendered_labels += label_names_[i];
      child.rendered_labels += "=\"";
      AppendEscapedLabelValue(child.rendered_labels, values[i]);
      child.rendered_labels += '"';
    }
    child.instrument = factory_();
    it = children_.emplace(values, std::move(child)).first;
  }
  return *it->second.instrument;
}

template <typename Instrument>
void Family<Instrument>::RenderSamples(std::string& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) {
    RenderInstrument(out, name(), child.rendered_labels, *child.instrument);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// --- Registry ---

Registry::Registry() = default;
Registry::~Registry() = default;

template <typename F>
F& Registry::Register(std::unique_ptr<F> family, std::initializer_list<std::string_view> suffixes) {
  const std::string& name = family->name();
  if (!IsValidMetricName(name)) {
    throw std::logic_error(fmt::format("invalid metric name \"{}\"", name));
  }
  std::vector<std::string> claims = {name};
  for (std::string_view suffix : suffixes) claims.push_back(name + std::string(suffix));
  std::lock_guard lock(mu_);
  for (const std::string& claim : claims) {
    if (claimed_names_.contains(claim)) {
      throw std::logic_error(fmt::format("metric name \"{}\" registered twice", claim));
    }
  }
  claimed_names_.insert(claims.begin(), claims.end());
  F& result = *family;
  families_.push_back(std::move(family));
  return result;
}

Counter& Registry::AddCounter(std::string_view name, std::string_view help) {
  return AddCounter(name, help, {}).WithLabels({});
}

CounterFamily& Registry::AddCounter(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names) {
  CheckLabelNames(name, label_names, /*is_histogram=*/false);
  return Register(std::make_unique<CounterFamily>(std::string(name), std::string(help), "counter",
                                                  std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); }),
                  {});
}

Gauge& Registry::AddGauge(std::string_view name, std::string_view help) {
  return AddGauge(name, help, {}).WithLabels({});
}

GaugeFamily& Registry::AddGauge(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names) {
  CheckLabelNames(name, label_names, /*is_histogram=*/false);
  return Register(std::make_unique<GaugeFamily>(std::string(name), std::string(help), "gauge",
                                                std::move(label_names),
                                                [] { return std::make_unique<Gauge>(); }),
                  {});
}

Histogram& Registry::AddHistogram(std::string_view name, std::string_view help,
                                  std::vector<double> upper_bounds) {
  return AddHistogram(name, help, std::move(upper_bounds), {}).WithLabels({});
}

HistogramFamily& Registry::AddHistogram(std::string_view name, std::string_view help,
                                        std::vector<double> upper_bounds,
                                        std::vector<std::string> label_names) {
  CheckLabelNames(name, label_names, /*is_histogram=*/true);
  // Validates the bounds now rather than at the first WithLabels.
  Histogram probe(upper_bounds);
  return Register(
      std::make_unique<HistogramFamily>(
          std::string(name), std::string(help), "histogram", std::move(label_names),
          [bounds = probe.upper_bounds()] { return std::make_unique<Histogram>(bounds); }),
      {"_bucket", "_sum", "_count"});
}

void Registry::AddCallbackGauge(std::string_view name, std::string_view help,
                                std::function<double()> read) {
  if (!read) throw std::logic_error(fmt::format("callback gauge {}: empty callback", name));
  Register(std::make_unique<CallbackGauge>(std::string(name), std::string(help), std::move(read)),
           {});
}

std::string Registry::RenderText() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& family : families_) family->Render(out);
  return out;
}

}  // namespace tocsin::core
