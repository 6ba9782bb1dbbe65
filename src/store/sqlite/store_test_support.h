// The SQLite store tests' fixture: a real database file in a temporary
// directory, a second raw connection to it, and synthetic results with
// their exact figures. Included by the store's test files only.
#pragma once

#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/temp_dir.h"
#include "model/check_record.h"
#include "stats/sketch.h"
#include "store/rollup.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"

namespace tocsin::store {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3'600;
constexpr int64_t kDay = 86'400;
// A day boundary (2023-12-09 00:00 UTC), so that test data lines up with
// rollup buckets where a test wants it to.
constexpr int64_t kBaseS = 19'700 * kDay;
constexpr int64_t kBaseMs = kBaseS * 1000;
constexpr int64_t kForeverMs = std::numeric_limits<int64_t>::max();
constexpr size_t kNoLimit = 1'000'000'000;

constexpr model::Outcome kOk = model::Outcome::kOk;
constexpr model::Outcome kTimeout = model::Outcome::kTimeout;

// Test-only unwrapping: a failure throws, which gtest reports with the
// store's message.
template <typename T>
T ValueOrThrow(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}
inline void OkOrThrow(const Status& s) {
  if (!s.ok()) throw std::runtime_error(s.error().message);
}

// A second connection to the store's file, as another process would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 5'000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(sql + ": " + message);
    }
  }
  // The first column of every row.
  std::vector<std::string> Column(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out.emplace_back(text ? text : "");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    return out;
  }
  int64_t Int(const std::string& sql) {
    const auto rows = Column(sql);
    if (rows.size() != 1) throw std::runtime_error(sql + ": not one row");
    return std::stoll(rows[0]);
  }
  // Rollup rows of a monitor at a level with bucket in [from_s, to_s), merged.
  RollupRow MergedRollups(model::MonitorId monitor, RollupLevel level, int64_t from_s,
                          int64_t to_s) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_,
                       "SELECT count, failures, min_us, max_us, sum_us, sketch, phased, "
                       "dns_sum_us, connect_sum_us, tls_sum_us, ttfb_sum_us, download_sum_us "
                       "FROM rollups "
                       "WHERE monitor_id = ?1 AND level = ?2 AND bucket >= ?3 AND bucket < ?4",
                       -1, &stmt, nullptr);
    sqlite3_bind_int64(stmt, 1, monitor);
    sqlite3_bind_int64(stmt, 2, static_cast<int>(level));
    sqlite3_bind_int64(stmt, 3, from_s);
    sqlite3_bind_int64(stmt, 4, to_s);
    RollupRow merged;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      RollupRow row;
      row.count = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
      row.failures = static_cast<uint64_t>(sqlite3_column_int64(stmt, 1));
      row.min_us = static_cast<uint32_t>(sqlite3_column_int64(stmt, 2));
      row.max_us = static_cast<uint32_t>(sqlite3_column_int64(stmt, 3));
      row.sum_us = static_cast<uint64_t>(sqlite3_column_int64(stmt, 4));
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, 5));
      row.sketch = ValueOrThrow(stats::LatencySketch::Deserialize(
          std::string_view(blob, static_cast<size_t>(sqlite3_column_bytes(stmt, 5)))));
      row.phased = static_cast<uint64_t>(sqlite3_column_int64(stmt, 6));
      for (size_t i = 0; i < kPhaseCount; ++i) {
        row.phase_sum_us[i] =
            static_cast<uint64_t>(sqlite3_column_int64(stmt, static_cast<int>(7 + i)));
      }
      merged.Merge(row);
    }
    sqlite3_finalize(stmt);
    return merged;
  }

 private:
  sqlite3* db_ = nullptr;
};

inline model::CheckRecord OkResult(model::MonitorId monitor, int64_t ts_ms, uint32_t total_us) {
  model::CheckRecord r;
  r.monitor = monitor;
  r.ts_ms = ts_ms;
  r.outcome = kOk;
  r.status = 200;
  r.ip = "192.0.2.10";
  r.dns_us = total_us / 10;
  r.connect_us = total_us / 10;
  r.tls_us = total_us / 5;
  r.ttfb_us = total_us / 2;
  r.download_us = total_us - r.dns_us - r.connect_us - r.tls_us - r.ttfb_us;
  r.total_us = total_us;
  r.bytes = 5'120;
  return r;
}

inline model::CheckRecord FailedResult(model::MonitorId monitor, int64_t ts_ms,
                                       std::string detail) {
  model::CheckRecord r;
  r.monitor = monitor;
  r.ts_ms = ts_ms;
  r.outcome = kTimeout;
  r.ip = "192.0.2.10";
  r.connect_us = 1'500;
  r.total_us = 10'000'000;
  r.detail = std::move(detail);
  return r;
}

inline void ExpectSameResult(const model::CheckRecord& got, const model::CheckRecord& want) {
  EXPECT_EQ(got.monitor, want.monitor);
  EXPECT_EQ(got.ts_ms, want.ts_ms);
  EXPECT_EQ(got.location, want.location);
  EXPECT_EQ(got.outcome, want.outcome);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.ip, want.ip);
  EXPECT_EQ(got.dns_us, want.dns_us);
  EXPECT_EQ(got.connect_us, want.connect_us);
  EXPECT_EQ(got.tls_us, want.tls_us);
  EXPECT_EQ(got.ttfb_us, want.ttfb_us);
  EXPECT_EQ(got.download_us, want.download_us);
  EXPECT_EQ(got.total_us, want.total_us);
  EXPECT_EQ(got.bytes, want.bytes);
  EXPECT_EQ(got.detail, want.detail);
}

// with_phases: compare the phase means too (off where one side comes from
// minute rows, which keep no phases).
inline void ExpectSameSummary(const RangeSummary& got, const RangeSummary& want,
                              bool with_phases = true) {
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.failures, want.failures);
  EXPECT_EQ(got.min_us, want.min_us);
  EXPECT_EQ(got.max_us, want.max_us);
  EXPECT_DOUBLE_EQ(got.mean_us, want.mean_us);
  EXPECT_EQ(got.p50_us, want.p50_us);
  EXPECT_EQ(got.p95_us, want.p95_us);
  EXPECT_EQ(got.p99_us, want.p99_us);
  if (!with_phases) return;
  EXPECT_EQ(got.phased, want.phased);
  for (size_t i = 0; i < kPhaseCount; ++i) {
    EXPECT_DOUBLE_EQ(got.phase_mean_us[i], want.phase_mean_us[i]) << "phase " << i;
  }
}

// Within the sketch's contract: 1% of the exact value plus half a microsecond.
inline ::testing::AssertionResult WithinSketchAccuracy(uint32_t got, uint32_t exact) {
  const double allowed = 0.01 * exact + 0.5 + 1e-9 * exact;
  if (std::abs(static_cast<double>(got) - static_cast<double>(exact)) <= allowed) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << got << ", exact " << exact;
}

// One result a minute, 15 s into the minute, from `from_s` (minute-aligned)
// for `minutes` minutes: log-normal latencies around 80 ms and 1% timeouts.
inline std::vector<model::CheckRecord> SyntheticResults(model::MonitorId monitor, int64_t from_s,
                                                        int64_t minutes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> latency(std::log(80'000.0), 0.6);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<model::CheckRecord> out;
  out.reserve(static_cast<size_t>(minutes));
  for (int64_t k = 0; k < minutes; ++k) {
    const int64_t ts_ms = (from_s + k * kMinute + 15) * 1000;
    if (percent(rng) == 0) {
      out.push_back(FailedResult(monitor, ts_ms, "no response within 10 s"));
    } else {
      const double us = std::clamp(latency(rng), 1'000.0, 9'000'000.0);
      out.push_back(OkResult(monitor, ts_ms, static_cast<uint32_t>(us)));
    }
  }
  return out;
}

// The exact figures over the results whose minute starts in [from_s, to_s),
// quantiles at rank floor(q * (n - 1)) as the sketch defines them.
inline RangeSummary ExactSummary(const std::vector<model::CheckRecord>& results, int64_t from_s,
                                 int64_t to_s) {
  RangeSummary s;
  std::vector<uint32_t> ok;
  uint64_t sum = 0;
  std::array<uint64_t, kPhaseCount> phase_sums{};
  for (const model::CheckRecord& r : results) {
    const int64_t minute = BucketStart(RollupLevel::kMinute, r.ts_ms / 1000);
    if (minute < from_s || minute >= to_s) continue;
    ++s.count;
    if (r.outcome != kOk) {
      ++s.failures;
      continue;
    }
    ok.push_back(r.total_us);
    sum += r.total_us;
    const uint32_t phases[] = {r.dns_us, r.connect_us, r.tls_us, r.ttfb_us, r.download_us};
    for (size_t i = 0; i < kPhaseCount; ++i) phase_sums[i] += phases[i];
  }
  if (ok.empty()) return s;
  std::sort(ok.begin(), ok.end());
  auto at = [&ok](double q) {
    return ok[static_cast<size_t>(q * static_cast<double>(ok.size() - 1))];
  };
  s.min_us = ok.front();
  s.max_us = ok.back();
  s.mean_us = static_cast<double>(sum) / static_cast<double>(ok.size());
  s.p50_us = at(0.50);
  s.p95_us = at(0.95);
  s.p99_us = at(0.99);
  s.phased = ok.size();
  for (size_t i = 0; i < kPhaseCount; ++i) {
    s.phase_mean_us[i] = static_cast<double>(phase_sums[i]) / static_cast<double>(ok.size());
  }
  return s;
}

inline void ExpectWithinAccuracy(const RangeSummary& got, const RangeSummary& exact,
                                 bool with_phases = true) {
  EXPECT_EQ(got.count, exact.count);
  EXPECT_EQ(got.failures, exact.failures);
  EXPECT_EQ(got.min_us, exact.min_us);
  EXPECT_EQ(got.max_us, exact.max_us);
  EXPECT_NEAR(got.mean_us, exact.mean_us, 1e-6 * exact.mean_us);
  EXPECT_TRUE(WithinSketchAccuracy(got.p50_us, exact.p50_us)) << "p50";
  EXPECT_TRUE(WithinSketchAccuracy(got.p95_us, exact.p95_us)) << "p95";
  EXPECT_TRUE(WithinSketchAccuracy(got.p99_us, exact.p99_us)) << "p99";
  if (!with_phases) return;
  EXPECT_EQ(got.phased, exact.phased);
  for (size_t i = 0; i < kPhaseCount; ++i) {
    EXPECT_NEAR(got.phase_mean_us[i], exact.phase_mean_us[i], 1e-6 * exact.phase_mean_us[i])
        << "phase " << i;
  }
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() { store_ = ValueOrThrow(OpenSqliteStore({.path = db_path_})); }
  void Close() { store_.reset(); }

  model::MonitorId Register(const std::string& name) {
    MonitorRecord m;
    m.name = name;
    m.url = "https://" + name + ".example/";
    m.options_json = "{}";
    m.interval = 60'000'000;
    return ValueOrThrow(store_->monitors().SyncMonitors({m})).at(0);
  }

  // Writes `results` in batches of `batch` (not aligned to any bucket, so
  // rollup rows are merged across batches).
  void WriteInBatches(const std::vector<model::CheckRecord>& results, size_t batch) {
    for (size_t i = 0; i < results.size(); i += batch) {
      const size_t n = std::min(batch, results.size() - i);
      OkOrThrow(store_->results().WriteBatch(std::span(results).subspan(i, n)));
    }
  }

  uint64_t RawRows() { return ValueOrThrow(store_->results().Stats()).raw_rows; }

  TempDir dir_{"tocsin-store-test"};
  std::string db_path_ = dir_.path() + "/tocsin.db";
  std::unique_ptr<Store> store_;
};

}  // namespace
}  // namespace tocsin::store
