#include "store/recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tocsin::store {
namespace {

// A full queue is logged at most this often; the counter has every drop.
constexpr Micros kDropLogInterval = 10'000'000;

}  // namespace

Recorder::Recorder(ResultStore& store, RecorderOptions options, CommitObserver observer)
    : store_(store), options_(options), observer_(std::move(observer)) {
  thread_ = std::thread([this] { Run(); });
}

Recorder::~Recorder() {
  Stop();
}

bool Recorder::Enqueue(model::CheckRecord result) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      const uint64_t dropped = dropped_.fetch_add(1, std::memory_order_relaxed) + 1;
      const Micros now = MonotonicMicros();
      if (now - last_drop_log_ >= kDropLogInterval) {
        last_drop_log_ = now;
        spdlog::error(
            "recorder: queue full ({} results waiting), result dropped; {} dropped so far",
            queue_.size(), dropped);
      }
      return false;
    }
    queue_.push_back(std::move(result));
    wake = queue_.size() >= options_.batch_max;
  }
  enqueued_.fetch_add(1, std::memory_order_relaxed);
  if (wake) cv_.notify_one();
  return true;
}

void Recorder::Stop(Micros deadline) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = MonotonicMicros() + deadline;
    }
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

RecorderStats Recorder::stats() const {
  RecorderStats s;
  s.enqueued = enqueued_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.committed = committed_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  s.failed_batches = failed_batches_.load(std::memory_order_relaxed);
  s.expired = expired_.load(std::memory_order_relaxed);
  s.failing = failing_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.queue_depth = queue_.size();
  return s;
}

std::string Recorder::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void Recorder::Run() {
  std::vector<model::CheckRecord> batch;
  batch.reserve(options_.batch_max);
  while (true) {
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::microseconds(options_.batch_interval),
                   [&] { return stopping_ || queue_.size() >= options_.batch_max; });
      stopping = stopping_;
      const size_t take = std::min(queue_.size(), options_.batch_max);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(take)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(take));
    }
    if (!batch.empty() && !CommitWithRetry(batch)) {
      // Stopping with the store still failing: what remains is counted lost,
      // and leaves the queue so that no result is both queued and dropped.
      std::lock_guard lock(mu_);
      const size_t lost = batch.size() + queue_.size();
      dropped_.fetch_add(lost, std::memory_order_relaxed);
      queue_.clear();
      spdlog::error("recorder: stopped with {} results not stored: {}", lost, last_error_);
      return;
    }
    batch.clear();
    if (stopping) {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      continue;
    }
    MaybeExpire();
  }
}

bool Recorder::CommitWithRetry(std::vector<model::CheckRecord>& batch) {
  int permanent_failures = 0;
  while (true) {
    const Micros start = MonotonicMicros();
    Status s = store_.WriteBatch(batch);
    if (s.ok()) {
      const Micros latency = MonotonicMicros() - start;
      committed_.fetch_add(batch.size(), std::memory_order_relaxed);
      batches_.fetch_add(1, std::memory_order_relaxed);
      if (failing_.exchange(false)) spdlog::info("recorder: the store accepts writes again");
      if (observer_) observer_(batch.size(), latency);
      return true;
    }
    failed_batches_.fetch_add(1, std::memory_order_relaxed);
    const bool first = !failing_.exchange(true);
    std::unique_lock lock(mu_);
    last_error_ = s.error().message;
    if (s.error().code != ErrorCode::kUnavailable &&
        ++permanent_failures >= options_.max_permanent_failures) {
      dropped_.fetch_add(batch.size(), std::memory_order_relaxed);
      spdlog::error("recorder: gave up on a batch of {} results after {} tries: {}", batch.size(),
                    permanent_failures, last_error_);
      batch.clear();
      return true;  // the next batches go on
    }
    if (first) {
      spdlog::error("recorder: cannot store {} results, retrying every {} ms: {}", batch.size(),
                    options_.retry_backoff / 1000, last_error_);
    }
    if (stopping_ && MonotonicMicros() >= stop_deadline_) return false;
    cv_.wait_for(lock, std::chrono::microseconds(options_.retry_backoff),
                 [&] { return stopping_ && MonotonicMicros() >= stop_deadline_; });
  }
}

void Recorder::MaybeExpire() {
  const Micros now = MonotonicMicros();
  if (now < next_expiry_) return;
  next_expiry_ = now + options_.expiry_interval;
  const int64_t before_ms = (UnixMicros() - options_.retention) / 1000;
  auto deleted = store_.DeleteExpired(before_ms, options_.expiry_rows);
  if (!deleted.ok()) {
    spdlog::warn("recorder: retention pass failed: {}", deleted.error().message);
    return;
  }
  expired_.fetch_add(*deleted, std::memory_order_relaxed);
}

}  // namespace tocsin::store
