// The scheduler: runs every enabled monitor at its interval, at a stable
// per-monitor phase (so load spreads evenly and survives restarts), never
// overlapping a monitor's previous run, and with at most N checks in flight
// per host:port.
//
// Threads: one scheduler thread owns the timer wheel and the monitor table.
// Apply() and Stop() may be called from any thread. OnResult() is called on
// an engine thread and must be wired as (part of) the engine's result sink.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "probe/check_result.h"
#include "probe/check_spec.h"
#include "schedule/timer_wheel.h"
#include "store/store.h"

namespace tocsin::schedule {

struct MonitorPlan {
  store::MonitorId id = 0;
  std::shared_ptr<const probe::PreparedCheck> check;
  Micros interval = 60'000'000;
  bool enabled = true;
};

struct SchedulerOptions {
  Micros tick = 10'000;          // wheel resolution
  size_t wheel_slots = 4'096;    // one revolution = slots * tick
  int per_host_concurrency = 8;  // checks in flight per host:port
};

struct SchedulerStats {
  uint64_t started = 0;          // checks handed to the engine
  uint64_t skipped_overlap = 0;  // due while the previous run was still going
  uint64_t skipped_missed = 0;   // runs missed because the scheduler fell behind
  uint64_t deferred_host = 0;    // postponed by the per-host limit (each postponement)
  uint64_t rejected = 0;         // the engine refused (queue full)
  uint64_t monitors = 0;         // enabled monitors scheduled
};

class Scheduler {
 public:
  // Hands a check to the engine; false if refused.
  using Submit = std::function<bool(std::shared_ptr<const probe::PreparedCheck>, uint64_t token)>;
  // Receives each finished check (engine thread).
  using Sink = std::function<void(store::MonitorId, probe::CheckResult&&)>;
  // Receives each start lag: actual start minus due time (scheduler thread).
  using LagObserver = std::function<void(Micros lag)>;

  Scheduler(SchedulerOptions options, Submit submit, Sink sink, LagObserver lag = nullptr);
  ~Scheduler();  // stops
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the monitor set (ids not in `plans` stop being scheduled).
  // Takes effect on the scheduler thread within one tick.
  void Apply(std::vector<MonitorPlan> plans);

  // The engine's sink for checks this scheduler started.
  void OnResult(probe::CheckResult&& result);

  // Stops scheduling; checks in flight still report through OnResult.
  void Stop();

  SchedulerStats stats() const;

  // The first due time strictly after `now_unix` for a monitor with this
  // id and interval: a phase offset derived from the id, so the same monitor
  // keeps its slot across restarts and monitors spread over the interval.
  static int64_t NextDueUnixMicros(store::MonitorId id, Micros interval, int64_t now_unix);

 private:
  struct HostSlot {
    std::atomic<int> in_flight{0};
  };
  struct Entry {
    store::MonitorId id = 0;   // immutable
    MonitorPlan plan;          // scheduler thread only
    HostSlot* host = nullptr;  // scheduler thread only
    uint32_t generation = 0;   // bumped when rescheduled or removed
    uint32_t wheel_items = 0;  // items of this entry in the wheel
    bool removed = false;
    // Set by the scheduler thread when it starts a check, cleared by the
    // engine thread as its very last touch of the entry.
    std::atomic<bool> in_flight{false};
    HostSlot* running_host = nullptr;  // written before in_flight is set
  };
  struct WheelItem {
    Entry* entry;
    uint32_t generation;
    Micros due;  // when the run was due (monotonic); it may fire later, held back
  };

  void Run();
  void ApplyPending();
  void Schedule(Entry& e, Micros now_mono, int64_t now_unix);
  void Fire(WheelItem item, Micros now);
  HostSlot* SlotFor(const probe::PreparedCheck& check);

  const SchedulerOptions options_;
  Submit submit_;
  Sink sink_;
  LagObserver lag_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                              // guarded by mu_
  std::unique_ptr<std::vector<MonitorPlan>> pending_;  // guarded by mu_

  // Scheduler thread only.
  TimerWheel<WheelItem> wheel_;
  std::unordered_map<store::MonitorId, std::unique_ptr<Entry>> active_;
  std::vector<std::unique_ptr<Entry>> retired_;
  std::unordered_map<std::string, std::unique_ptr<HostSlot>> hosts_;

  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> skipped_overlap_{0};
  std::atomic<uint64_t> skipped_missed_{0};
  std::atomic<uint64_t> deferred_host_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> monitors_{0};
  std::thread thread_;
};

}  // namespace tocsin::schedule
