#include "store/recorder.h"
#include "core/temp_dir.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "model/check_record.h"
#include "store/store.h"

namespace tocsin::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kForeverMs = std::numeric_limits<int64_t>::max();
// Long enough for a loaded sanitizer build; a passing test never waits it out.
constexpr auto kPatience = seconds(60);
// Long enough that a batch never commits on its own during a test.
constexpr Micros kNever = 3'600'000'000;

template <typename T>
T ValueOrThrow(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

// Polls `condition` until it holds or `patience` runs out.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::steady_clock::duration patience = kPatience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

model::CheckRecord MakeResult(model::MonitorId monitor, int64_t ts_ms) {
  model::CheckRecord r;
  r.monitor = monitor;
  r.ts_ms = ts_ms;
  r.outcome = model::Outcome::kOk;
  r.status = 200;
  r.ip = "192.0.2.1";
  r.total_us = 12'345;
  return r;
}

// An in-memory Store whose WriteBatch can be held (to fill the Recorder's
// queue) or made to fail a number of times; it records what it was given.
class FakeStore final : public ResultStore {
 public:
  Status WriteBatch(std::span<const model::CheckRecord> results) override {
    std::unique_lock lock(mu_);
    ++write_calls_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !held_; });
    if (failures_left_ > 0) {
      --failures_left_;
      if (permanent_) return Internal("sqlite: constraint failed (injected)");
      return Unavailable("sqlite: database or disk is full (injected)");
    }
    written_.insert(written_.end(), results.begin(), results.end());
    return {};
  }
  Result<size_t> DeleteExpired(int64_t before_ms, size_t max_rows) override {
    std::lock_guard lock(mu_);
    expiry_calls_.push_back({before_ms, max_rows});
    return expired_per_call_;
  }
  Result<std::vector<model::CheckRecord>> QueryResults(model::MonitorId, int64_t, int64_t,
                                                       size_t) override {
    return std::vector<model::CheckRecord>{};
  }
  Result<RangeSummary> Summarize(model::MonitorId, int64_t, int64_t) override {
    return RangeSummary{};
  }
  Result<std::vector<BucketSummary>> Series(model::MonitorId, RollupLevel, int64_t,
                                            int64_t) override {
    return std::vector<BucketSummary>{};
  }
  Result<std::vector<model::LatestState>> LoadLatest() override {
    return std::vector<model::LatestState>{};
  }
  Result<StoreStats> Stats() override { return StoreStats{}; }

  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  void FailNext(int n, bool permanent = false) {
    std::lock_guard lock(mu_);
    failures_left_ = n;
    permanent_ = permanent;
  }
  void ExpireRowsPerCall(size_t n) {
    std::lock_guard lock(mu_);
    expired_per_call_ = n;
  }
  bool WaitForWriteCalls(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return write_calls_ >= n; });
  }
  std::vector<model::CheckRecord> written() const {
    std::lock_guard lock(mu_);
    return written_;
  }
  struct ExpiryCall {
    int64_t before_ms;
    size_t max_rows;
  };
  std::vector<ExpiryCall> expiry_calls() const {
    std::lock_guard lock(mu_);
    return expiry_calls_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  int failures_left_ = 0;
  bool permanent_ = false;
  int write_calls_ = 0;
  size_t expired_per_call_ = 0;
  std::vector<model::CheckRecord> written_;
  std::vector<ExpiryCall> expiry_calls_;
};

// Every timestamp of `results`, each expected exactly once.
std::multiset<int64_t> Timestamps(const std::vector<model::CheckRecord>& results) {
  std::multiset<int64_t> out;
  for (const model::CheckRecord& r : results) out.insert(r.ts_ms);
  return out;
}

std::multiset<int64_t> Range(int64_t from, int64_t n) {
  std::multiset<int64_t> out;
  for (int64_t i = 0; i < n; ++i) out.insert(from + i);
  return out;
}

TEST(RecorderTest, EnqueuedResultsAreCommittedToTheStore) {
  TempDir dir("tocsin-recorder-test");
  auto store = ValueOrThrow(OpenSqliteStore({.path = dir.path() + "/tocsin.db"}));
  MonitorRecord m;
  m.name = "recorded";
  m.url = "https://recorded.example/";
  m.options_json = "{}";
  const model::MonitorId id = ValueOrThrow(store->monitors().SyncMonitors({m})).at(0);
  std::atomic<uint64_t> observed{0};
  Recorder recorder(store->results(), {.batch_interval = 5'000},
                    [&observed](size_t n, Micros) { observed += n; });

  // Recent, so that retention (which runs too) leaves them alone.
  const int64_t base_ms = UnixMicros() / 1000 - 60'000;
  for (int64_t i = 0; i < 5'000; ++i) ASSERT_TRUE(recorder.Enqueue(MakeResult(id, base_ms + i)));
  ASSERT_TRUE(WaitUntil([&] { return recorder.stats().committed == 5'000; }));

  const RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.enqueued, 5'000u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.failed_batches, 0u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_GE(stats.batches, 3u);  // at most 2,000 a batch
  EXPECT_FALSE(stats.failing);
  EXPECT_EQ(observed.load(), 5'000u);
  EXPECT_EQ(ValueOrThrow(store->results().Stats()).raw_rows, 5'000u);
  const auto stored = ValueOrThrow(store->results().QueryResults(id, 0, kForeverMs, 10'000));
  EXPECT_EQ(Timestamps(stored), Range(base_ms, 5'000));
}

TEST(RecorderTest, FullQueueRefusesAndCountsEveryDrop) {
  FakeStore store;
  store.Hold();
  Recorder recorder(store, {.queue_capacity = 10, .batch_max = 4, .batch_interval = 1'000});
  // The writer takes the first result and is held inside WriteBatch.
  ASSERT_TRUE(recorder.Enqueue(MakeResult(1, 0)));
  ASSERT_TRUE(store.WaitForWriteCalls(1));

  for (int64_t i = 1; i <= 10; ++i) EXPECT_TRUE(recorder.Enqueue(MakeResult(1, i)));
  for (int64_t i = 11; i <= 15; ++i) EXPECT_FALSE(recorder.Enqueue(MakeResult(1, i)));
  RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.enqueued, 11u);
  EXPECT_EQ(stats.dropped, 5u);
  EXPECT_EQ(stats.queue_depth, 10u);
  EXPECT_EQ(stats.committed, 0u);

  store.Release();
  ASSERT_TRUE(WaitUntil([&] { return recorder.stats().committed == 11; }));
  stats = recorder.stats();
  EXPECT_EQ(stats.dropped, 5u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_EQ(Timestamps(store.written()), Range(0, 11));
}

TEST(RecorderTest, FailedBatchIsRetriedUntilItCommitsWithNothingLost) {
  FakeStore store;
  store.FailNext(3);
  // One batch of exactly 100: it starts when the 100th result arrives.
  Recorder recorder(store, {.batch_max = 100, .batch_interval = kNever, .retry_backoff = 1'000});
  for (int64_t i = 0; i < 100; ++i) ASSERT_TRUE(recorder.Enqueue(MakeResult(1, i)));
  ASSERT_TRUE(WaitUntil([&] { return recorder.stats().committed == 100; }));

  const RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.failed_batches, 3u);
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.enqueued, 100u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_FALSE(stats.failing);
  EXPECT_NE(recorder.last_error().find("disk is full"), std::string::npos);
  EXPECT_EQ(Timestamps(store.written()), Range(0, 100));
}

TEST(RecorderTest, BatchThatCannotEverCommitIsGivenUpAndCountedSoRecordingGoesOn) {
  FakeStore store;
  store.FailNext(3, /*permanent=*/true);
  Recorder recorder(store, {.batch_max = 10, .batch_interval = kNever, .retry_backoff = 1'000});
  for (int64_t i = 0; i < 20; ++i) ASSERT_TRUE(recorder.Enqueue(MakeResult(1, i)));
  ASSERT_TRUE(WaitUntil([&] { return recorder.stats().committed == 10; }));
  const RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.failed_batches, 3u);
  EXPECT_EQ(stats.dropped, 10u);  // the first batch, given up after three tries
  EXPECT_EQ(Timestamps(store.written()), Range(10, 10));
}

TEST(RecorderTest, StopFlushesEverythingQueued) {
  FakeStore store;
  Recorder recorder(store, {.batch_max = 1'000, .batch_interval = kNever});
  for (int64_t i = 0; i < 250; ++i) ASSERT_TRUE(recorder.Enqueue(MakeResult(1, i)));
  EXPECT_EQ(recorder.stats().committed, 0u);

  recorder.Stop();
  RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.committed, 250u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_EQ(Timestamps(store.written()), Range(0, 250));

  EXPECT_FALSE(recorder.Enqueue(MakeResult(1, 250)));
  EXPECT_EQ(recorder.stats().dropped, 1u);
  recorder.Stop();  // idempotent
}

// Regression: the results left in the queue were counted as dropped and
// also still reported as queued.
TEST(RecorderTest, StopGivesUpOnAFailingStoreAndCountsEveryResultLost) {
  FakeStore store;
  store.FailNext(std::numeric_limits<int>::max());
  Recorder recorder(store, {.batch_max = 10, .batch_interval = kNever, .retry_backoff = 1'000});
  for (int64_t i = 0; i < 30; ++i) ASSERT_TRUE(recorder.Enqueue(MakeResult(1, i)));
  ASSERT_TRUE(WaitUntil([&] { return recorder.stats().failed_batches >= 1; }));
  EXPECT_TRUE(recorder.stats().failing);

  recorder.Stop(/*deadline=*/20'000);
  const RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.committed, 0u);
  EXPECT_EQ(stats.enqueued, 30u);
  EXPECT_EQ(stats.dropped, 30u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_TRUE(store.written().empty());
}

TEST(RecorderTest, RetentionDeletesResultsOlderThanTheRetentionPeriod) {
  FakeStore store;
  store.ExpireRowsPerCall(7);
  constexpr Micros kRetention = 2LL * 3'600'000'000;
  const int64_t earliest = (UnixMicros() - kRetention) / 1000;
  Recorder recorder(store, {.batch_interval = 1'000,
                            .retention = kRetention,
                            .expiry_interval = kNever,
                            .expiry_rows = 1'234});
  ASSERT_TRUE(WaitUntil([&] { return recorder.stats().expired == 7; }));
  const int64_t latest = (UnixMicros() - kRetention) / 1000;

  const auto calls = store.expiry_calls();
  ASSERT_EQ(calls.size(), 1u);  // the next pass is an expiry_interval away
  EXPECT_GE(calls[0].before_ms, earliest);
  EXPECT_LE(calls[0].before_ms, latest);
  EXPECT_EQ(calls[0].max_rows, 1'234u);
}

// --- Crash durability ---

bool IntegrityOk(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  bool ok = sqlite3_step(stmt) == SQLITE_ROW &&
            std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "ok" &&
            sqlite3_step(stmt) == SQLITE_DONE;
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return ok;
}

// A child process records results continuously and reports every commit
// (its running total) on a pipe; it is killed with SIGKILL mid-stream. Every
// result it reported committed must be in the database, which must be
// intact and writable.
TEST(RecorderTest, CommittedResultsSurviveKill9) {
  TempDir dir("tocsin-recorder-test");
  const std::string path = dir.path() + "/tocsin.db";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = OpenSqliteStore({.path = path});
    if (!store.ok()) _exit(2);
    MonitorRecord m;
    m.name = "crash";
    m.url = "https://crash.example/";
    m.options_json = "{}";
    auto ids = (*store)->monitors().SyncMonitors({m});
    if (!ids.ok()) _exit(3);
    uint64_t total = 0;
    Recorder recorder((*store)->results(), {.batch_max = 500, .batch_interval = 2'000},
                      [&total, fd = fds[1]](size_t n, Micros) {
                        total += n;
                        if (write(fd, &total, sizeof total) != sizeof total) _exit(4);
                      });
    // Bounded, should the parent never kill us.
    const Micros give_up = MonotonicMicros() + 60'000'000;
    for (int64_t ts = UnixMicros() / 1000; MonotonicMicros() < give_up;) {
      for (int i = 0; i < 100; ++i) recorder.Enqueue(MakeResult((*ids)[0], ts++));
      std::this_thread::sleep_for(milliseconds(1));  // pacing the producer, not waiting
    }
    _exit(5);
  }

  close(fds[1]);
  uint64_t last_committed = 0;
  int reports = 0;
  bool killed = false;
  uint64_t value = 0;
  size_t have = 0;
  while (true) {
    const ssize_t n = read(fds[0], reinterpret_cast<char*>(&value) + have, sizeof value - have);
    if (n <= 0) break;  // EOF: the child is gone and everything it wrote is read
    have += static_cast<size_t>(n);
    if (have < sizeof value) continue;
    have = 0;
    last_committed = std::max(last_committed, value);
    if (++reports >= 5 && !killed) {
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended on its own, status " << status;
  ASSERT_GE(reports, 5);
  std::printf("child killed after %d reported commits, %llu results committed\n", reports,
              static_cast<unsigned long long>(last_committed));

  ASSERT_TRUE(IntegrityOk(path));
  auto store = ValueOrThrow(OpenSqliteStore({.path = path}));
  const uint64_t found = ValueOrThrow(store->results().Stats()).raw_rows;
  std::printf("after the restart: %llu results in the database\n",
              static_cast<unsigned long long>(found));
  EXPECT_GE(found, last_committed);
  const auto monitors = ValueOrThrow(store->monitors().ListMonitors());
  ASSERT_EQ(monitors.size(), 1u);
  ASSERT_TRUE(store->results().WriteBatch(std::vector{MakeResult(monitors[0].id, 0)}).ok());
  EXPECT_EQ(ValueOrThrow(store->results().QueryResults(monitors[0].id, 0, 1, 10)).size(), 1u);
  EXPECT_TRUE(IntegrityOk(path));
}

}  // namespace
}  // namespace tocsin::store
