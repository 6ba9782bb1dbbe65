// Tests of the SQLite store against a real database file in a temporary
// directory; fault injection (a failing statement, a held lock, a full disk)
// is done for real, from outside the store.
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
void OkOrThrow(const Status& s) {
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
                       "SELECT count, failures, min_us, max_us, sum_us, sketch FROM rollups "
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
      merged.Merge(row);
    }
    sqlite3_finalize(stmt);
    return merged;
  }

 private:
  sqlite3* db_ = nullptr;
};

model::CheckRecord OkResult(model::MonitorId monitor, int64_t ts_ms, uint32_t total_us) {
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

model::CheckRecord FailedResult(model::MonitorId monitor, int64_t ts_ms, std::string detail) {
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

void ExpectSameResult(const model::CheckRecord& got, const model::CheckRecord& want) {
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

void ExpectSameSummary(const RangeSummary& got, const RangeSummary& want) {
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.failures, want.failures);
  EXPECT_EQ(got.min_us, want.min_us);
  EXPECT_EQ(got.max_us, want.max_us);
  EXPECT_DOUBLE_EQ(got.mean_us, want.mean_us);
  EXPECT_EQ(got.p50_us, want.p50_us);
  EXPECT_EQ(got.p95_us, want.p95_us);
  EXPECT_EQ(got.p99_us, want.p99_us);
}

// Within the sketch's contract: 1% of the exact value plus half a microsecond.
::testing::AssertionResult WithinSketchAccuracy(uint32_t got, uint32_t exact) {
  const double allowed = 0.01 * exact + 0.5 + 1e-9 * exact;
  if (std::abs(static_cast<double>(got) - static_cast<double>(exact)) <= allowed) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << got << ", exact " << exact;
}

// One result a minute, 15 s into the minute, from `from_s` (minute-aligned)
// for `minutes` minutes: log-normal latencies around 80 ms and 1% timeouts.
std::vector<model::CheckRecord> SyntheticResults(model::MonitorId monitor, int64_t from_s,
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
RangeSummary ExactSummary(const std::vector<model::CheckRecord>& results, int64_t from_s,
                          int64_t to_s) {
  RangeSummary s;
  std::vector<uint32_t> ok;
  uint64_t sum = 0;
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
  return s;
}

void ExpectWithinAccuracy(const RangeSummary& got, const RangeSummary& exact) {
  EXPECT_EQ(got.count, exact.count);
  EXPECT_EQ(got.failures, exact.failures);
  EXPECT_EQ(got.min_us, exact.min_us);
  EXPECT_EQ(got.max_us, exact.max_us);
  EXPECT_NEAR(got.mean_us, exact.mean_us, 1e-6 * exact.mean_us);
  EXPECT_TRUE(WithinSketchAccuracy(got.p50_us, exact.p50_us)) << "p50";
  EXPECT_TRUE(WithinSketchAccuracy(got.p95_us, exact.p95_us)) << "p95";
  EXPECT_TRUE(WithinSketchAccuracy(got.p99_us, exact.p99_us)) << "p99";
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

// --- Opening and migrations ---

TEST_F(SqliteStoreTest, OpenCreatesSchemaInWalMode) {
  RawDb raw(db_path_);
  const auto tables =
      raw.Column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  EXPECT_EQ(tables, (std::vector<std::string>{"addresses",
                                              "api_tokens",
                                              "channel_state",
                                              "channels",
                                              "delivery_attempts",
                                              "incidents",
                                              "links",
                                              "maintenance_windows",
                                              "members",
                                              "monitor_state",
                                              "monitors",
                                              "outbox",
                                              "result_details",
                                              "results",
                                              "rollups",
                                              "schema_migrations",
                                              "secrets",
                                              "sessions",
                                              "settings",
                                              "sqlite_sequence",
                                              "users",
                                              "workspace_policies",
                                              "workspaces"}));
  EXPECT_EQ(raw.Column("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  EXPECT_EQ(raw.Int("SELECT max(version) FROM schema_migrations"),
            sqlite::Migrations().back().version);
}

TEST_F(SqliteStoreTest, ReopeningAppliesNoMigrationTwiceAndKeepsData) {
  const model::MonitorId id = Register("kept");
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 42'000)}));
  Close();
  Open();
  Close();
  Open();

  RawDb raw(db_path_);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(sqlite::Migrations().size()));
  EXPECT_EQ(raw.Int("SELECT count(DISTINCT version) FROM schema_migrations"),
            static_cast<int64_t>(sqlite::Migrations().size()));
  const auto monitors = ValueOrThrow(store_->monitors().ListMonitors());
  ASSERT_EQ(monitors.size(), 1u);
  EXPECT_EQ(monitors[0].id, id);
  const auto results = ValueOrThrow(store_->results().QueryResults(id, 0, kForeverMs, 10));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].total_us, 42'000u);
}

// --- Monitors ---

MonitorRecord Monitor(const std::string& name, const std::string& url) {
  MonitorRecord m;
  m.name = name;
  m.url = url;
  m.options_json = R"({"timeout":"10s"})";
  m.interval = 30'000'000;
  return m;
}

TEST_F(SqliteStoreTest, AVersion2DatabaseKeepsItsMonitorsAndResultsInTheFilesWorkspace) {
  Close();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path_ + suffix);
  sqlite3* file = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &file), SQLITE_OK);
  sqlite3_close(file);
  {
    // The schema as version 2 left it, with a monitor and a result.
    RawDb raw(db_path_);
    raw.Exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER "
        "NOT NULL)");
    for (const auto& m : sqlite::Migrations()) {
      if (m.version > 2) break;
      raw.Exec(m.sql);
      raw.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 0)");
    }
    raw.Exec(
        "INSERT INTO monitors (id, name, owner, url, options_json, interval_us, enabled, "
        "created_at, updated_at) VALUES (7, 'old', 0, 'https://old.example/', '{}', "
        "60000000, 1, 0, 0)");
  }
  Open();
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(7, kBaseMs, 42'000)}));
  const auto monitors = ValueOrThrow(store_->monitors().ListMonitors());
  ASSERT_EQ(monitors.size(), 1u);
  EXPECT_EQ(monitors[0].id, 7u);
  EXPECT_EQ(monitors[0].name, "old");
  EXPECT_EQ(monitors[0].workspace, model::kFileWorkspace);
  // The file still finds it by name, under the same id.
  const auto ids = ValueOrThrow(store_->monitors().SyncMonitors({Monitor("old", "https://x/")}));
  EXPECT_EQ(ids, std::vector<model::MonitorId>{7});
  // Ids are never reused: a new monitor after a deletion gets a new one.
  MonitorRecord api = Monitor("api", "https://api.example/");
  api.workspace = 5;
  const MonitorRecord created = ValueOrThrow(store_->monitors().CreateMonitor(api));
  EXPECT_GT(created.id, 7u);
  OkOrThrow(store_->monitors().DeleteMonitor(created.id));
  EXPECT_GT(ValueOrThrow(store_->monitors().CreateMonitor(api)).id, created.id);
}

TEST_F(SqliteStoreTest, SyncMonitorsKeepsIdsStableByName) {
  const auto first = ValueOrThrow(store_->monitors().SyncMonitors(
      {Monitor("a", "https://a.example/"), Monitor("b", "https://b.example/")}));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_NE(first[0], first[1]);
  const auto again = ValueOrThrow(store_->monitors().SyncMonitors(
      {Monitor("b", "https://b.example/"), Monitor("a", "https://a.example/")}));
  EXPECT_EQ(again, (std::vector<model::MonitorId>{first[1], first[0]}));
}

TEST_F(SqliteStoreTest, SyncMonitorsUpdatesChangedUrlUnderTheSameId) {
  const auto first =
      ValueOrThrow(store_->monitors().SyncMonitors({Monitor("a", "https://a.example/")}));
  MonitorRecord changed = Monitor("a", "https://a.example/health");
  changed.owner = 7;
  changed.options_json = R"({"timeout":"5s"})";
  changed.interval = 120'000'000;
  changed.enabled = false;
  const auto second = ValueOrThrow(store_->monitors().SyncMonitors({changed}));
  EXPECT_EQ(second, first);

  const auto listed = ValueOrThrow(store_->monitors().ListMonitors());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, first[0]);
  EXPECT_EQ(listed[0].name, "a");
  EXPECT_EQ(listed[0].url, "https://a.example/health");
  EXPECT_EQ(listed[0].owner, 7u);
  EXPECT_EQ(listed[0].options_json, R"({"timeout":"5s"})");
  EXPECT_EQ(listed[0].interval, 120'000'000);
  EXPECT_FALSE(listed[0].enabled);
}

TEST_F(SqliteStoreTest, SyncMonitorsGivesANewNameANewId) {
  const auto first =
      ValueOrThrow(store_->monitors().SyncMonitors({Monitor("a", "https://a.example/")}));
  const auto second = ValueOrThrow(store_->monitors().SyncMonitors(
      {Monitor("a", "https://a.example/"), Monitor("c", "https://c/")}));
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0], first[0]);
  EXPECT_NE(second[1], first[0]);
  EXPECT_EQ(ValueOrThrow(store_->monitors().ListMonitors()).size(), 2u);
}

// The server registers monitors (start, SIGHUP reload) on its own thread
// while the Recorder's thread writes batches and runs retention: the two must
// not interleave on the writer connection.
TEST_F(SqliteStoreTest, SyncMonitorsWhileAnotherThreadWritesBatches) {
  const model::MonitorId id = Register("busy");
  constexpr int kBatches = 300;
  std::vector<std::string> errors;
  std::thread writer([&] {
    for (int i = 0; i < kBatches; ++i) {
      std::vector<model::CheckRecord> batch;
      for (int k = 0; k < 20; ++k) batch.push_back(OkResult(id, kBaseMs + i * 1'000 + k, 500));
      if (Status s = store_->results().WriteBatch(batch); !s.ok())
        errors.push_back(s.error().message);
      if (auto d = store_->results().DeleteExpired(kBaseMs, 100); !d.ok()) {
        errors.push_back(d.error().message);
      }
    }
  });
  std::vector<model::MonitorId> ids;
  for (int i = 0; i < kBatches; ++i) {
    auto synced =
        store_->monitors().SyncMonitors({Monitor("busy", "https://busy.example/"),
                                         Monitor("other", "https://other/" + std::to_string(i))});
    if (synced.ok()) {
      ids = *synced;
    } else {
      ADD_FAILURE() << synced.error().message;
    }
  }
  writer.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " errors, first: " << errors.front();
  EXPECT_EQ(ids.at(0), id);
  EXPECT_EQ(RawRows(), uint64_t{kBatches} * 20);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + kDay)).count,
            uint64_t{kBatches} * 20);
}

// --- Writing and reading results ---

TEST_F(SqliteStoreTest, WriteBatchThenQueryResultsRoundTripsEveryField) {
  const model::MonitorId id = Register("round-trip");
  model::CheckRecord ok = OkResult(id, kBaseMs + 1'250, 123'456);
  ok.location = 3;
  ok.status = 204;
  ok.ip = "203.0.113.77";
  ok.dns_us = 1'001;
  ok.connect_us = 2'002;
  ok.tls_us = 3'003;
  ok.ttfb_us = 4'004;
  ok.download_us = 5'005;
  ok.bytes = 4'000'000'000u;
  model::CheckRecord failed = FailedResult(id, kBaseMs + 61'000, "TLS: certificate has expired");
  failed.outcome = model::Outcome::kTlsError;
  failed.location = 255;
  failed.status = 0;
  failed.ip = "2001:db8::1";
  model::CheckRecord extreme =
      OkResult(id, kBaseMs + 122'000, std::numeric_limits<uint32_t>::max());
  extreme.status = 65'535;
  extreme.ip = "";
  OkOrThrow(store_->results().WriteBatch(std::vector{failed, ok, extreme}));

  const auto got = ValueOrThrow(store_->results().QueryResults(id, 0, kForeverMs, 100));
  ASSERT_EQ(got.size(), 3u);
  ExpectSameResult(got[0], ok);  // in time order
  ExpectSameResult(got[1], failed);
  ExpectSameResult(got[2], extreme);
}

TEST_F(SqliteStoreTest, QueryResultsHonoursHalfOpenRangeMonitorAndLimit) {
  const model::MonitorId a = Register("a");
  const model::MonitorId b = Register("b");
  std::vector<model::CheckRecord> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(OkResult(a, kBaseMs + i * 1'000, 1'000 + i));
  batch.push_back(OkResult(b, kBaseMs + 2'000, 9));
  OkOrThrow(store_->results().WriteBatch(batch));

  const auto range =
      ValueOrThrow(store_->results().QueryResults(a, kBaseMs + 2'000, kBaseMs + 5'000, 100));
  ASSERT_EQ(range.size(), 3u);
  EXPECT_EQ(range[0].ts_ms, kBaseMs + 2'000);
  EXPECT_EQ(range[2].ts_ms, kBaseMs + 4'000);
  EXPECT_EQ(range[0].monitor, a);
  const auto limited = ValueOrThrow(store_->results().QueryResults(a, 0, kForeverMs, 4));
  ASSERT_EQ(limited.size(), 4u);
  EXPECT_EQ(limited[3].ts_ms, kBaseMs + 3'000);
}

// The second half of a batch fails (a trigger of another connection aborts
// it): nothing of the batch may remain, and the next batch must work,
// including an address first interned in the failed one.
TEST_F(SqliteStoreTest, WriteBatchIsAllOrNothing) {
  const model::MonitorId id = Register("atomic");
  std::vector<model::CheckRecord> batch;
  for (int i = 0; i < 10; ++i) {
    model::CheckRecord r = i % 3 == 0 ? FailedResult(id, kBaseMs + i * 60'000, "refused")
                                      : OkResult(id, kBaseMs + i * 60'000, 50'000);
    r.ip = "198.51.100." + std::to_string(i);
    batch.push_back(r);
  }
  RawDb raw(db_path_);
  raw.Exec("CREATE TRIGGER fail_second_half BEFORE INSERT ON results WHEN NEW.ts >= " +
           std::to_string(kBaseMs + 5 * 60'000) +
           " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

  const Status failed = store_->results().WriteBatch(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("injected failure"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(RawRows(), 0u);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM result_details"), 0);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups"), 0);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM addresses"), 0);
  EXPECT_TRUE(ValueOrThrow(store_->results().LoadLatest()).empty());

  raw.Exec("DROP TRIGGER fail_second_half");
  OkOrThrow(store_->results().WriteBatch(batch));
  const auto got = ValueOrThrow(store_->results().QueryResults(id, 0, kForeverMs, 100));
  ASSERT_EQ(got.size(), batch.size());
  for (size_t i = 0; i < got.size(); ++i) ExpectSameResult(got[i], batch[i]);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + kDay)).count,
            batch.size());
}

// Another process holding the write lock: the batch fails as unavailable
// (retryable) after the busy timeout, writes nothing, and the next succeeds.
TEST_F(SqliteStoreTest, WriteBatchIsUnavailableWhileAnotherConnectionHoldsTheWriteLock) {
  const model::MonitorId id = Register("locked");
  RawDb other(db_path_);
  other.Exec("BEGIN IMMEDIATE");
  const Status busy = store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 1'000)});
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable) << busy.error().message;
  other.Exec("ROLLBACK");
  EXPECT_EQ(RawRows(), 0u);

  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 1'000)}));
  EXPECT_EQ(RawRows(), 1u);
}

// --- Summaries ---

TEST_F(SqliteStoreTest, SummarizeOf30DaysMatchesExactFigures) {
  const model::MonitorId id = Register("thirty-days");
  const auto results = SyntheticResults(id, kBaseS, 30 * kDay / kMinute, 1);
  WriteInBatches(results, 1'000);

  const RangeSummary exact = ExactSummary(results, kBaseS, kBaseS + 30 * kDay);
  ASSERT_EQ(exact.count, 43'200u);
  ASSERT_GT(exact.failures, 300u);  // about 1%
  ExpectWithinAccuracy(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + 30 * kDay)),
                       exact);
}

TEST_F(SqliteStoreTest, SummarizeOfRaggedRangeMatchesExactFigures) {
  const model::MonitorId id = Register("ragged");
  const auto results = SyntheticResults(id, kBaseS, 30 * kDay / kMinute, 2);
  WriteInBatches(results, 1'000);

  // Minutes, then hours, then whole days, then hours and minutes again.
  const int64_t from = kBaseS + 3 * kDay + 5 * kHour + 17 * kMinute;
  const int64_t to = kBaseS + 20 * kDay + 13 * kHour + 42 * kMinute;
  const RangeSummary exact = ExactSummary(results, from, to);
  ASSERT_EQ(exact.count, static_cast<uint64_t>((to - from) / kMinute));
  ExpectWithinAccuracy(ValueOrThrow(store_->results().Summarize(id, from, to)), exact);
}

TEST_F(SqliteStoreTest, SummarizeOfWholeDaysEqualsMergedMinuteRollups) {
  const model::MonitorId id = Register("days");
  WriteInBatches(SyntheticResults(id, kBaseS, 3 * kDay / kMinute, 3), 700);

  RawDb raw(db_path_);
  for (const auto& [from, to] :
       {std::pair{kBaseS, kBaseS + 3 * kDay}, std::pair{kBaseS + kDay, kBaseS + 2 * kDay},
        std::pair{kBaseS + 5 * kHour, kBaseS + 2 * kDay + 7 * kHour}}) {
    SCOPED_TRACE("range [" + std::to_string(from) + ", " + std::to_string(to) + ")");
    const RangeSummary from_minutes =
        store::Summarize(raw.MergedRollups(id, RollupLevel::kMinute, from, to));
    ExpectSameSummary(ValueOrThrow(store_->results().Summarize(id, from, to)), from_minutes);
  }
}

// With the finer rollups gone, whole days are still summarized (from the day
// rows), and a range inside one hour finds nothing.
TEST_F(SqliteStoreTest, SummarizeReadsDayRollupsForWholeDays) {
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

TEST_F(SqliteStoreTest, SeriesGivesEachBucketItsOwnSummaryInOrder) {
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

TEST_F(SqliteStoreTest, SummarizeOfEmptyRangeIsEmpty) {
  const model::MonitorId id = Register("empty");
  WriteInBatches(SyntheticResults(id, kBaseS, 60, 5), 100);
  const RangeSummary s = ValueOrThrow(store_->results().Summarize(id, kBaseS + 600, kBaseS + 600));
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id + 1, kBaseS, kBaseS + kDay)).count, 0u);
}

// --- Latest state ---

TEST_F(SqliteStoreTest, LatestStateIsTheNewestResultEvenWhenAnOlderOneArrivesLater) {
  const model::MonitorId id = Register("latest");
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs + 2'000, 77'000)}));
  OkOrThrow(store_->results().WriteBatch(std::vector{FailedResult(id, kBaseMs + 1'000, "late")}));

  const auto latest = ValueOrThrow(store_->results().LoadLatest());
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].monitor, id);
  EXPECT_EQ(latest[0].ts_ms, kBaseMs + 2'000);
  EXPECT_EQ(latest[0].outcome, kOk);
  EXPECT_EQ(latest[0].status, 200u);
  EXPECT_EQ(latest[0].total_us, 77'000u);
  EXPECT_EQ(latest[0].detail, "");
}

TEST_F(SqliteStoreTest, LatestStateIsTheNewestResultOfABatchWhateverItsPosition) {
  const model::MonitorId a = Register("a");
  const model::MonitorId b = Register("b");
  OkOrThrow(store_->results().WriteBatch(std::vector{
      FailedResult(a, kBaseMs + 5'000, "connection refused"), OkResult(b, kBaseMs + 1'000, 10),
      OkResult(a, kBaseMs + 3'000, 20), OkResult(b, kBaseMs + 9'000, 30)}));
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(b, kBaseMs + 10'000, 40)}));

  auto latest = ValueOrThrow(store_->results().LoadLatest());
  std::sort(latest.begin(), latest.end(),
            [](const model::LatestState& x, const model::LatestState& y) {
              return x.monitor < y.monitor;
            });
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].ts_ms, kBaseMs + 5'000);
  EXPECT_EQ(latest[0].outcome, kTimeout);
  EXPECT_EQ(latest[0].detail, "connection refused");
  EXPECT_EQ(latest[1].ts_ms, kBaseMs + 10'000);
  EXPECT_EQ(latest[1].total_us, 40u);
}

// --- Retention ---

TEST_F(SqliteStoreTest, DeleteExpiredRemovesOnlyOlderRawRowsDetailsAndMinuteRollups) {
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
TEST_F(SqliteStoreTest, DeleteExpiredKeepsTheMinuteRollupHoldingTheCutOff) {
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

TEST_F(SqliteStoreTest, DeleteExpiredWorksThroughMonitorsInSlices) {
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

// --- Stats and size ---

TEST_F(SqliteStoreTest, StatsCountsRawRowsAndFileBytes) {
  const model::MonitorId id = Register("stats");
  EXPECT_EQ(RawRows(), 0u);
  WriteInBatches(SyntheticResults(id, kBaseS, 7, 6), 3);
  const StoreStats stats = ValueOrThrow(store_->results().Stats());
  EXPECT_EQ(stats.raw_rows, 7u);
  struct stat st {};
  ASSERT_EQ(stat(db_path_.c_str(), &st), 0);
  EXPECT_GE(stats.file_bytes, static_cast<uint64_t>(st.st_size));
}

// 100,000 ok results of 100 monitors, a minute apart, with realistic timings,
// written as the Recorder would (in time order, batches of 2,000). Prints the
// file size per raw row (rollups and addresses included); the target is 64.
TEST_F(SqliteStoreTest, BytesPerRawRowOfRealisticResults) {
  constexpr int kMonitors = 100;
  constexpr int kRounds = 1'000;
  std::vector<MonitorRecord> records;
  for (int m = 0; m < kMonitors; ++m) {
    records.push_back(Monitor("site-" + std::to_string(m), "https://site" + std::to_string(m)));
  }
  const auto ids = ValueOrThrow(store_->monitors().SyncMonitors(records));

  std::mt19937_64 rng(99);
  auto uniform = [&rng](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  std::vector<model::CheckRecord> batch;
  for (int round = 0; round < kRounds; ++round) {
    for (int m = 0; m < kMonitors; ++m) {
      model::CheckRecord r;
      r.monitor = ids[static_cast<size_t>(m)];
      r.ts_ms = kBaseMs + round * 60'000 + m * 600 + uniform(0, 50);  // spread over the minute
      r.outcome = kOk;
      r.status = 200;
      r.ip = "198.51.100." + std::to_string(m);
      r.dns_us = uniform(0, 4) == 0 ? uniform(2'000, 40'000) : uniform(20, 200);  // mostly cached
      r.connect_us = uniform(1'000, 60'000);
      r.tls_us = uniform(5'000, 120'000);
      r.ttfb_us = uniform(20'000, 600'000);
      r.download_us = uniform(100, 50'000);
      r.total_us = r.dns_us + r.connect_us + r.tls_us + r.ttfb_us + r.download_us;
      r.bytes = uniform(500, 200'000);
      batch.push_back(std::move(r));
      if (batch.size() == 2'000) {
        OkOrThrow(store_->results().WriteBatch(batch));
        batch.clear();
      }
    }
  }
  constexpr uint64_t kRows = uint64_t{kMonitors} * kRounds;
  ASSERT_EQ(RawRows(), kRows);
  const StoreStats open_stats = ValueOrThrow(store_->results().Stats());
  {
    RawDb raw(db_path_);
    for (const std::string& line :
         raw.Column("SELECT name || ': ' || sum(pgsize) || ' bytes, ' || "
                    "printf('%.1f', sum(pgsize) * 1.0 / 100000) || ' per raw row' "
                    "FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC")) {
      std::printf("  %s\n", line.c_str());
    }
  }
  Close();  // checkpoints and removes the WAL
  struct stat st {};
  ASSERT_EQ(stat(db_path_.c_str(), &st), 0);
  const double per_row = static_cast<double>(st.st_size) / static_cast<double>(kRows);
  std::printf(
      "database: %lld bytes for %llu raw rows = %.1f bytes/row (with WAL while open: %.1f)\n",
      static_cast<long long>(st.st_size), static_cast<unsigned long long>(kRows), per_row,
      static_cast<double>(open_stats.file_bytes) / static_cast<double>(kRows));
  RecordProperty("bytes_per_raw_row", std::to_string(per_row));
  EXPECT_LT(per_row, 120.0);
}

// --- Disk full ---

// Runs `body` in a forked child and returns its exit code (or -signal). The
// child reports its own findings on stderr; it must not use gtest.
int RunInChild(const std::function<int()>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) return -1000;
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: exception: %s\n", e.what());
      code = 2;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(code);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1001;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

constexpr int kChildSkipped = 77;

int ChildFail(int code, const std::string& why) {
  std::fprintf(stderr, "child: %s\n", why.c_str());
  return code;
}

// Fills the store until a batch fails, then calls `make_room`, checks that
// the failure was a clean, retryable one and that the store works again.
int FillUntilFullThenRecover(const std::string& db_path, const std::function<void()>& make_room) {
  auto opened = OpenSqliteStore({.path = db_path});
  if (!opened.ok()) return ChildFail(10, "open: " + opened.error().message);
  Store& store = **opened;
  std::vector<MonitorRecord> records;
  for (int m = 0; m < 20; ++m) records.push_back(Monitor("m" + std::to_string(m), "https://m/"));
  auto ids = store.monitors().SyncMonitors(records);
  if (!ids.ok()) return ChildFail(11, "sync: " + ids.error().message);

  uint64_t committed = 0;
  std::vector<model::CheckRecord> batch;
  Status failure;
  for (int round = 0; round < 100'000 && failure.ok(); ++round) {
    batch.clear();
    for (size_t m = 0; m < ids->size(); ++m) {
      for (int k = 0; k < 25; ++k) {
        const int64_t ts = kBaseMs + (int64_t{round} * 25 + k) * 60'000;
        batch.push_back(FailedResult(
            (*ids)[m], ts,
            "a failure detail that takes some room, #" + std::to_string(round * 25 + k)));
      }
    }
    failure = store.results().WriteBatch(batch);
    if (failure.ok()) committed += batch.size();
  }
  make_room();
  if (failure.ok()) return ChildFail(12, "the store never filled up");
  std::fprintf(stderr, "child: after %llu results, WriteBatch failed: code %d, \"%s\"\n",
               static_cast<unsigned long long>(committed), static_cast<int>(failure.error().code),
               failure.error().message.c_str());
  if (failure.error().code != ErrorCode::kUnavailable) return ChildFail(13, "not kUnavailable");
  const std::string& message = failure.error().message;
  if (message.find("disk") == std::string::npos && message.find("full") == std::string::npos) {
    return ChildFail(14, "the message names neither disk nor full");
  }
  auto stats = store.results().Stats();
  if (!stats.ok() || stats->raw_rows != committed) {
    return ChildFail(15, "the failed batch left rows behind, or Stats failed");
  }
  if (Status s = store.results().WriteBatch(batch); !s.ok()) {
    return ChildFail(16, "WriteBatch after making room: " + s.error().message);
  }
  stats = store.results().Stats();
  if (!stats.ok() || stats->raw_rows != committed + batch.size()) {
    return ChildFail(17, "the retried batch is not all there");
  }
  RawDb raw(db_path);
  const auto check = raw.Column("PRAGMA integrity_check");
  if (check != std::vector<std::string>{"ok"}) {
    return ChildFail(18, "integrity_check: " + (check.empty() ? "" : check[0]));
  }
  return 0;
}

// A real full disk: a 1 MiB tmpfs mounted over the test's directory in a
// private mount namespace of a child process. Needs CAP_SYS_ADMIN (root in
// most containers); skipped without it.
TEST_F(SqliteStoreTest, FullDiskFailsTheBatchAsUnavailableAndTheStoreRecovers) {
  Close();
  TempDir mount_point{"tocsin-store-test"};
  const std::string dir = mount_point.path();
  const int code = RunInChild([&dir]() -> int {
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=1m") != 0) {
      return kChildSkipped;
    }
    return FillUntilFullThenRecover(dir + "/tocsin.db", [&dir] {
      if (mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT, "size=64m") != 0) {
        std::fprintf(stderr, "child: remount failed\n");
      }
    });
  });
  if (code == kChildSkipped) GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
  EXPECT_EQ(code, 0) << "see the child's message above";
}

// The same through RLIMIT_FSIZE, which works without privileges: the files
// cannot grow past the limit (EFBIG, SIGXFSZ ignored).
TEST_F(SqliteStoreTest, FileSizeLimitFailsTheBatchAsUnavailableAndTheStoreRecovers) {
  Close();
  const std::string path = dir_.path() + "/limited.db";
  const int code = RunInChild([&path]() -> int {
    rlimit original{};
    if (getrlimit(RLIMIT_FSIZE, &original) != 0) return ChildFail(20, "getrlimit");
    signal(SIGXFSZ, SIG_IGN);
    rlimit low = original;
    low.rlim_cur = 1 << 20;
    if (setrlimit(RLIMIT_FSIZE, &low) != 0) return ChildFail(21, "setrlimit");
    // The limit is lifted before anything is printed: stderr may be a file.
    return FillUntilFullThenRecover(path, [&original] { setrlimit(RLIMIT_FSIZE, &original); });
  });
  EXPECT_EQ(code, 0) << "see the child's message above";
}

}  // namespace
}  // namespace tocsin::store
