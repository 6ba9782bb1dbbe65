// The scheduler: runs every enabled monitor at its interval, at a stable
// per-monitor phase (so load spreads evenly and survives restarts), never
// overlapping a monitor's previous run, and with at most N checks in flight
// per host:port.
//
// It only decides when checks start. Each run goes to the probe engine as a
// model::JobId (a slot index and a run generation, never a pointer); the
// result goes wherever the engine's sink sends it, and whoever receives it
// calls Done(job) so the scheduler knows the run is over.
//
// Threads: one scheduler thread owns the timer wheel and every monitor's
// state. Apply(), Done() and Stop() may be called from any thread; Done()
// only queues the job for the scheduler thread's next tick.
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
#include "core/metrics.h"
#include "model/ids.h"
#include "probe/check_spec.h"
#include "schedule/timer_wheel.h"

namespace tocsin::schedule {

struct MonitorPlan {
  model::MonitorId id = 0;
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
  uint64_t rechecks = 0;         // extra runs started to confirm a failure
};

class Scheduler {
 public:
  // Hands a check to the engine; false if refused.
  using Submit = std::function<bool(std::shared_ptr<const probe::PreparedCheck>, model::JobId)>;
  // With `metrics`, registers the scheduler's counters and its start-lag
  // histogram there; the registry must outlive the scheduler.
  Scheduler(SchedulerOptions options, Submit submit, core::Registry* metrics = nullptr);
  ~Scheduler();  // stops
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the monitor set (ids not in `plans` stop being scheduled).
  // Takes effect on the scheduler thread within one tick.
  void Apply(std::vector<MonitorPlan> plans);

  // The run `job` (as submitted) is over. Any thread, never blocks for long;
  // a job of a monitor since removed or rescheduled is recognised by its
  // generation and only releases its host slot.
  void Done(model::JobId job);

  // Runs `monitor`'s check once more `delay` from now, besides its grid (the
  // alert evaluator confirming a failure). Ignored if the monitor is gone,
  // already has one pending, or is running then. Any thread.
  void Recheck(model::MonitorId monitor, Micros delay);

  // Stops scheduling. Checks in flight may still call Done(); it is ignored.
  void Stop();

  SchedulerStats stats() const;

  // The first due time strictly after `now_unix` for a monitor with this
  // id and interval: a phase offset derived from the id, so the same monitor
  // keeps its slot across restarts and monitors spread over the interval.
  static int64_t NextDueUnixMicros(model::MonitorId id, Micros interval, int64_t now_unix);

 private:
  struct HostSlot {
    int in_flight = 0;
  };
  // One monitor's state, at a stable index in slots_. A slot whose monitor
  // went away is reused once its last run is done.
  struct Slot {
    model::MonitorId id = 0;
    MonitorPlan plan;
    HostSlot* host = nullptr;
    uint32_t generation = 0;  // bumped when rescheduled or removed: old wheel items die
    uint32_t run = 0;         // bumped at each start: the JobId's generation
    bool running = false;
    HostSlot* running_host = nullptr;
    bool in_use = false;  // false: on the free list, or removed and waiting for its run
    bool recheck_pending = false;
  };
  struct WheelItem {
    uint32_t index;
    uint32_t generation;
    Micros due;          // when the run was due (monotonic); it may fire later, held back
    bool extra = false;  // a re-check: runs once, off the grid
  };

  void RegisterMetrics(core::Registry& metrics);
  void Run();
  void ApplyPlans(std::vector<MonitorPlan>& plans);
  void TakeDone();
  void TakeRechecks(Micros now);
  void FireRecheck(WheelItem item, Micros now);
  void Release(uint32_t index);
  void Schedule(uint32_t index, Micros now_mono, int64_t now_unix);
  void Fire(WheelItem item, Micros now);
  HostSlot* SlotFor(const probe::PreparedCheck& check);

  const SchedulerOptions options_;
  Submit submit_;
  core::Histogram* lag_ = nullptr;  // start lag, seconds

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                              // guarded by mu_
  std::unique_ptr<std::vector<MonitorPlan>> pending_;  // guarded by mu_

  std::mutex done_mu_;
  std::vector<model::JobId> done_;                             // guarded by done_mu_
  std::vector<std::pair<model::MonitorId, Micros>> rechecks_;  // guarded by done_mu_

  // Scheduler thread only.
  TimerWheel<WheelItem> wheel_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<model::MonitorId, uint32_t> index_of_;
  std::unordered_map<std::string, std::unique_ptr<HostSlot>> hosts_;
  std::vector<model::JobId> done_batch_;

  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> skipped_overlap_{0};
  std::atomic<uint64_t> skipped_missed_{0};
  std::atomic<uint64_t> deferred_host_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> rechecks_started_{0};
  std::atomic<uint64_t> monitors_{0};
  std::thread thread_;
};

}  // namespace tocsin::schedule
