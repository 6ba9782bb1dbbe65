// The Recorder: the one writer thread in front of the Store. Engine threads
// hand it results (never blocking); it commits them in batches, one
// transaction each, and runs retention between batches.
//
// Nothing is lost silently: a result is either committed, still queued, or
// counted as dropped because the bounded queue was full (and logged). A
// failed batch (disk full, I/O error) is kept and retried until it commits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "model/check_record.h"
#include "store/results.h"

namespace tocsin::store {

struct RecorderOptions {
  size_t queue_capacity = 200'000;   // results waiting; beyond, they are dropped and counted
  size_t batch_max = 2'000;          // results per transaction
  Micros batch_interval = 100'000;   // longest a result waits before its batch commits
  Micros retry_backoff = 1'000'000;  // after a failed batch
  // A batch that fails for a reason retrying cannot fix (not kUnavailable:
  // e.g. a constraint or a corrupt row) is given up after this many tries,
  // its results counted lost, so one bad batch cannot stop all recording.
  int max_permanent_failures = 3;
  Micros retention = 30LL * 86'400'000'000;  // raw results kept this long
  Micros expiry_interval = 10'000'000;       // how often retention runs
  size_t expiry_rows = 5'000;                // rows deleted per retention pass at most
};

struct RecorderStats {
  uint64_t enqueued = 0;
  uint64_t dropped = 0;    // refused: queue full
  uint64_t committed = 0;  // results in committed batches
  uint64_t batches = 0;
  uint64_t failed_batches = 0;
  uint64_t expired = 0;  // raw results deleted by retention
  size_t queue_depth = 0;
  bool failing = false;  // the last batch failed and is being retried
};

class Recorder {
 public:
  // Called on the writer thread after each committed batch.
  using CommitObserver = std::function<void(size_t results, Micros latency)>;

  Recorder(ResultStore& store, RecorderOptions options, CommitObserver observer = nullptr);
  // Stops (see Stop).
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Thread-safe, never blocks on the store. False (and counted) when full.
  bool Enqueue(model::CheckRecord result);

  // Commits what is queued (giving up after `deadline` of failing retries)
  // and joins the writer thread. Idempotent.
  void Stop(Micros deadline = 10'000'000);

  RecorderStats stats() const;
  std::string last_error() const;

 private:
  void Run();
  bool CommitWithRetry(std::vector<model::CheckRecord>& batch);
  void MaybeExpire();

  ResultStore& store_;
  const RecorderOptions options_;
  CommitObserver observer_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<model::CheckRecord> queue_;  // guarded by mu_
  bool stopping_ = false;                 // guarded by mu_
  Micros stop_deadline_ = 0;              // guarded by mu_ (monotonic)
  std::string last_error_;                // guarded by mu_

  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> failed_batches_{0};
  std::atomic<uint64_t> expired_{0};
  std::atomic<bool> failing_{false};
  Micros next_expiry_ = 0;    // writer thread only
  Micros last_drop_log_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tocsin::store
