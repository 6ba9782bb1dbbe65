// Seed history: writes synthetic results (bench/synthetic_results.h) for
// every monitor of an existing store, as if each had been checked every
// --interval seconds for the last --days days, through Store::WriteBatch
// (which builds the minute, hour and day rollups as the Recorder does).
// bench/api_load.py runs it on the database of a stopped `tocsin serve`,
// so the API is measured on a store that holds a month of history.
//
//   seed_history --db PATH [--days 30] [--interval 600] [--dense 0] [--monitors N]
//
// The first --dense monitors (by id) are checked every 60 s instead: the
// ones a benchmark queries get a real month, minute by minute, while the
// rest keep the database's size within reach of a benchmark run. With
// --monitors, only the first N monitors (by id) get history.
// Monitor by monitor, each in time order: the results table is clustered by
// (monitor, time), so every batch appends. Prints one JSON line:
// {"monitors", "rows", "write_seconds", "file_bytes"}.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"
#include "synthetic_results.h"

namespace {

constexpr size_t kBatchSize = 2'000;  // results per WriteBatch, as the Recorder does
constexpr int64_t kMaxJitterMs = 20;  // start lag of a check behind its slot
constexpr int64_t kDenseIntervalS = 60;
constexpr uint64_t kSeed = 20261129;  // fixed: every run writes the same history

int Fail(const char* what, const std::string& message) {
  std::fprintf(stderr, "seed_history: %s: %s\n", what, message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes synthetic history for every monitor of a Tocsin store"};
  std::string path;
  int days = 30;
  int interval_s = 600;
  app.add_option("--db", path, "the tocsin.db of a stopped server")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--days", days, "days of history to write, ending now")
      ->check(CLI::Range(1, 3'650));
  app.add_option("--interval", interval_s, "seconds between a monitor's checks")
      ->check(CLI::Range(60, 86'400));
  size_t dense = 0;
  app.add_option("--dense", dense, "the first N monitors are checked every 60 s");
  size_t only = 0;
  app.add_option("--monitors", only, "history for the first N monitors only (0: all)");
  CLI11_PARSE(app, argc, argv);

  tocsin::store::SqliteOptions options;
  options.path = path;
  auto opened = tocsin::store::OpenSqliteStore(options);
  if (!opened.ok()) return Fail("opening the store", opened.error().message);
  std::unique_ptr<tocsin::store::Store> db = std::move(*opened);
  auto monitors = db->monitors().ListMonitors();
  if (!monitors.ok()) return Fail("listing monitors", monitors.error().message);
  if (only > 0 && monitors->size() > only) monitors->resize(only);

  const int64_t now_ms = tocsin::UnixMicros() / 1000;
  const int64_t start_ms = now_ms - int64_t{days} * 86'400'000;
  tocsin::bench::SyntheticResults gen(kSeed);
  std::uniform_int_distribution<int64_t> jitter(0, kMaxJitterMs);
  std::vector<tocsin::model::CheckRecord> batch;
  batch.reserve(kBatchSize);
  uint64_t rows = 0;
  const auto began = std::chrono::steady_clock::now();
  for (size_t m = 0; m < monitors->size(); ++m) {
    const tocsin::model::MonitorId id = (*monitors)[m].id;
    const int64_t interval_ms = (m < dense ? kDenseIntervalS : interval_s) * int64_t{1000};
    std::uniform_int_distribution<int64_t> phase(0, interval_ms - kMaxJitterMs - 1);
    const int64_t first = start_ms + phase(gen.rng());
    for (int64_t ts = first; ts < now_ms; ts += interval_ms) {
      batch.push_back(gen.Next(id, ts + jitter(gen.rng()), static_cast<int>(m)));
      if (batch.size() < kBatchSize) continue;
      if (tocsin::Status s = db->results().WriteBatch(batch); !s.ok()) {
        return Fail("writing a batch", s.error().message);
      }
      rows += batch.size();
      batch.clear();
    }
  }
  if (!batch.empty()) {
    if (tocsin::Status s = db->results().WriteBatch(batch); !s.ok()) {
      return Fail("writing a batch", s.error().message);
    }
    rows += batch.size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  auto stats = db->results().Stats();
  nlohmann::json out = {{"monitors", monitors->size()},
                        {"rows", rows},
                        {"days", days},
                        {"interval_s", interval_s},
                        {"dense", std::min(dense, monitors->size())},
                        {"write_seconds", std::round(seconds * 10) / 10},
                        {"file_bytes", stats.ok() ? stats->file_bytes : 0}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
