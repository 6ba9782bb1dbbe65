// Rollup query: how long does a latency summary (p95) over 30 days of one
// monitor take when it is merged from rollups? Writes synthetic history into a
// fresh SQLite store through Store::WriteBatch (which also builds the
// rollups), reopens the store so that the first query is cold, then times
// Store::Summarize over the whole range and over an odd one (17 min 13 s in
// from the start, 3 min short of the end) that needs day, hour and minute
// rollups. bench/serve_scale.py runs it; see bench/README.md.
//
//   rollup_query --dir DIR [--days 30] [--interval 60] [--monitors 1]
//                [--query-days 30] [--repeat 200]
//
// Prints one JSON line: {"rows", "write_seconds", "query_ms_p50",
// "query_ms_max", "cold_ms", "p95_us", "exact_p95_us", ...}. The exact
// percentiles are computed from the generated values, over the same results
// the rollups cover, to show the sketch is right. Exits 1 (after printing)
// when the summary disagrees with the generated data beyond the sketch's
// documented accuracy.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "model/check_record.h"
#include "stats/sketch.h"
#include "store/rollup.h"
#include "store/store.h"
#include "synthetic_results.h"

namespace {

namespace store = tocsin::store;
using tocsin::model::Outcome;

constexpr size_t kBatchSize = 2'000;               // results per WriteBatch, as the Recorder does
constexpr int64_t kMaxJitterMs = 20;               // start lag of a check behind its slot
constexpr uint32_t kSeed = 20240601;               // fixed: every run writes the same history
constexpr int64_t kOddFromOffsetS = 17 * 60 + 13;  // the odd range starts this far in...
constexpr int64_t kOddToOffsetS = 3 * 60;          // ...and stops this short of now
constexpr double kQuantiles[] = {0.50, 0.95, 0.99};

double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// One result of the queried monitor, kept to compute exact figures.
struct Kept {
  int64_t ts_ms;
  bool ok;
  uint32_t total_us;
};

// What Summarize over [from_s, to_s) should find: the results whose rollup
// buckets the range plan reads (rollups resolve time to the minute, so the
// ragged ends of a range count whole minutes), and how many rollup rows hold
// them.
struct Expected {
  uint64_t count = 0;
  uint64_t failures = 0;
  std::vector<uint32_t> ok_latencies;
  size_t rollup_rows = 0;
};

Expected ExpectedFor(const std::vector<Kept>& kept, int64_t from_s, int64_t to_s) {
  const store::RangePlan plan = store::PlanRange(from_s, to_s);
  Expected e;
  std::set<std::pair<int, int64_t>> rows;
  for (const Kept& k : kept) {
    const int64_t seconds = k.ts_ms / 1000;
    for (const auto& span : plan.spans) {
      const int64_t bucket = store::BucketStart(span.level, seconds);
      if (bucket < span.from_s || bucket >= span.to_s) continue;
      rows.emplace(static_cast<int>(span.level), bucket);
      ++e.count;
      if (k.ok) {
        e.ok_latencies.push_back(k.total_us);
      } else {
        ++e.failures;
      }
      break;  // spans do not overlap
    }
  }
  e.rollup_rows = rows.size();
  return e;
}

// The value at rank floor(q * (n - 1)) of the sorted values: the rank
// LatencySketch::Quantile answers for.
uint32_t ExactQuantile(std::vector<uint32_t> values, double q) {
  if (values.empty()) return 0;
  const auto rank = static_cast<size_t>(std::floor(q * static_cast<double>(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                   values.end());
  return values[rank];
}

// The sketch's documented bound: |answer - exact| <= accuracy * exact + 0.5.
bool WithinAccuracy(uint32_t answer, uint32_t exact) {
  const double bound = tocsin::stats::LatencySketch::kRelativeAccuracy * exact + 0.5;
  return std::fabs(static_cast<double>(answer) - static_cast<double>(exact)) <= bound;
}

struct Timed {
  double cold_ms = 0;  // the first call
  double p50_ms = 0;   // of the calls after it
  double max_ms = 0;
  store::RangeSummary summary;
};

tocsin::Result<Timed> TimeSummarize(store::Store& s, tocsin::model::MonitorId id, int64_t from_s,
                                    int64_t to_s, int repeat) {
  Timed t;
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(repeat));
  for (int i = 0; i <= repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto r = s.results().Summarize(id, from_s, to_s);
    const double took = Millis(std::chrono::steady_clock::now() - start);
    if (!r.ok()) return r.error();
    if (i == 0) {
      t.cold_ms = took;
      t.summary = *r;
    } else {
      ms.push_back(took);
    }
  }
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    t.p50_ms = ms[(ms.size() - 1) / 2];
    t.max_ms = ms.back();
  }
  return t;
}

double Round3(double v) {
  return std::round(v * 1000) / 1000;
}

// Adds the figures of one range to `out` under `prefix`; returns whether the
// summary agrees with the generated data.
bool Report(nlohmann::json& out, const std::string& prefix, const Timed& t, const Expected& e) {
  out[prefix + "query_ms_p50"] = Round3(t.p50_ms);
  out[prefix + "query_ms_max"] = Round3(t.max_ms);
  if (!prefix.empty()) out[prefix + "first_ms"] = Round3(t.cold_ms);  // "cold_ms" for the first
  out[prefix + "rollup_rows_read"] = e.rollup_rows;
  out[prefix + "count"] = t.summary.count;
  out[prefix + "expected_count"] = e.count;
  out[prefix + "failures"] = t.summary.failures;
  out[prefix + "expected_failures"] = e.failures;
  bool agree = t.summary.count == e.count && t.summary.failures == e.failures;
  const uint32_t got[] = {t.summary.p50_us, t.summary.p95_us, t.summary.p99_us};
  const char* names[] = {"p50", "p95", "p99"};
  for (size_t i = 0; i < std::size(kQuantiles); ++i) {
    const uint32_t exact = ExactQuantile(e.ok_latencies, kQuantiles[i]);
    out[prefix + names[i] + "_us"] = got[i];
    out[prefix + "exact_" + names[i] + "_us"] = exact;
    agree = agree && WithinAccuracy(got[i], exact);
  }
  out[prefix + "agrees"] = agree;
  return agree;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tocsin rollup query benchmark"};
  std::string dir;
  int days = 30;
  int interval_s = 60;
  int monitors = 1;
  int query_days = 30;
  int repeat = 200;
  app.add_option("--dir", dir, "an empty or missing directory; the store goes in DIR/tocsin.db")
      ->required();
  app.add_option("--days", days, "days of history to write")->check(CLI::Range(1, 3'650));
  app.add_option("--interval", interval_s, "seconds between a monitor's checks")
      ->check(CLI::Range(1, 86'400));
  app.add_option("--monitors", monitors, "monitors written (the first is queried)")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--query-days", query_days, "days the timed summary spans, ending now")
      ->check(CLI::Range(1, 3'650));
  app.add_option("--repeat", repeat, "timed calls after the first")->check(CLI::Range(1, 100'000));
  CLI11_PARSE(app, argc, argv);

  const std::filesystem::path db_path = std::filesystem::path(dir) / "tocsin.db";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "rollup_query: cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 2;
  }
  if (std::filesystem::exists(db_path)) {
    std::fprintf(stderr, "rollup_query: %s already exists; give an empty directory\n",
                 db_path.c_str());
    return 2;
  }
  store::SqliteOptions options;
  options.path = db_path.string();
  auto opened = store::OpenSqliteStore(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "rollup_query: %s\n", opened.error().message.c_str());
    return 1;
  }
  std::unique_ptr<store::Store> db = std::move(*opened);

  const int64_t interval_ms = int64_t{interval_s} * 1000;
  std::vector<store::MonitorRecord> records;
  for (int m = 1; m <= monitors; ++m) {
    store::MonitorRecord r;
    r.name = "rollup-bench-" + std::to_string(m);
    r.url = "http://192.0.2.1/page.html?m=" + std::to_string(m);
    r.options_json = "{}";
    r.interval = interval_ms * 1000;
    records.push_back(std::move(r));
  }
  auto ids = db->monitors().SyncMonitors(records);
  if (!ids.ok()) {
    std::fprintf(stderr, "rollup_query: %s\n", ids.error().message.c_str());
    return 1;
  }

  // History: each monitor at its own phase within the interval (as the
  // scheduler spreads them), a check every interval until now.
  const int64_t now_s = tocsin::UnixMicros() / 1'000'000;
  const int64_t start_ms = (now_s - int64_t{days} * 86'400) * 1000;
  const int64_t jitter_ms = std::min(kMaxJitterMs, interval_ms / 10);
  const int64_t checks_per_monitor = int64_t{days} * 86'400 / interval_s;
  tocsin::bench::SyntheticResults gen(kSeed);
  std::mt19937_64& rng = gen.rng();
  std::uniform_int_distribution<int64_t> jitter(0, jitter_ms);
  std::vector<int64_t> phase_ms(static_cast<size_t>(monitors));
  for (auto& p : phase_ms) {
    p = std::uniform_int_distribution<int64_t>(0, interval_ms - jitter_ms - 1)(rng);
  }

  std::vector<Kept> kept;
  kept.reserve(static_cast<size_t>(checks_per_monitor));
  std::vector<tocsin::model::CheckRecord> batch;
  batch.reserve(kBatchSize);
  uint64_t rows = 0;
  uint64_t batches = 0;
  const auto write_start = std::chrono::steady_clock::now();
  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    if (tocsin::Status s = db->results().WriteBatch(batch); !s.ok()) {
      std::fprintf(stderr, "rollup_query: writing a batch: %s\n", s.error().message.c_str());
      return false;
    }
    rows += batch.size();
    ++batches;
    batch.clear();
    return true;
  };
  for (int64_t k = 0; k < checks_per_monitor; ++k) {
    for (int m = 0; m < monitors; ++m) {
      tocsin::model::CheckRecord r =
          gen.Next((*ids)[static_cast<size_t>(m)],
                   start_ms + k * interval_ms + phase_ms[static_cast<size_t>(m)] + jitter(rng), m);
      if (m == 0) kept.push_back({r.ts_ms, r.outcome == Outcome::kOk, r.total_us});
      batch.push_back(std::move(r));
      if (batch.size() == kBatchSize && !flush()) return 1;
    }
  }
  if (!flush()) return 1;
  const double write_seconds = Millis(std::chrono::steady_clock::now() - write_start) / 1000;
  auto stats = db->results().Stats();

  // A fresh store object: both connections start with empty SQLite caches,
  // so the first query is as cold as after a restart (the OS cache is warm).
  db.reset();
  opened = store::OpenSqliteStore(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "rollup_query: reopening: %s\n", opened.error().message.c_str());
    return 1;
  }
  db = std::move(*opened);

  const tocsin::model::MonitorId queried = (*ids)[0];
  const int64_t from_s = now_s - int64_t{query_days} * 86'400;
  auto whole = TimeSummarize(*db, queried, from_s, now_s, repeat);
  const int64_t odd_from = from_s + kOddFromOffsetS;
  const int64_t odd_to = now_s - kOddToOffsetS;
  auto odd = whole.ok() ? TimeSummarize(*db, queried, odd_from, odd_to, repeat) : whole;
  if (!odd.ok()) {
    std::fprintf(stderr, "rollup_query: Summarize: %s\n", odd.error().message.c_str());
    return 1;
  }

  nlohmann::json out = {
      {"rows", rows},
      {"monitors", monitors},
      {"days", days},
      {"interval_s", interval_s},
      {"query_days", query_days},
      {"batches", batches},
      {"batch_size", kBatchSize},
      {"write_seconds", Round3(write_seconds)},
      {"write_rows_per_s", std::round(static_cast<double>(rows) / write_seconds)},
      {"file_bytes", stats.ok() ? stats->file_bytes : 0},
      {"repeat", repeat},
      {"cold_ms", Round3(whole->cold_ms)},
      {"odd_from_offset_s", kOddFromOffsetS},
      {"odd_to_offset_s", kOddToOffsetS},
  };
  bool agree = Report(out, "", *whole, ExpectedFor(kept, from_s, now_s));
  agree = Report(out, "odd_", *odd, ExpectedFor(kept, odd_from, odd_to)) && agree;
  std::printf("%s\n", out.dump().c_str());
  if (!agree) {
    std::fprintf(stderr,
                 "rollup_query: a summary disagrees with the generated data (counts differ or "
                 "a percentile is outside the sketch's accuracy); see *_agrees\n");
    return 1;
  }
  return 0;
}
