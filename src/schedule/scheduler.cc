#include "schedule/scheduler.h"

#include <algorithm>

namespace tocsin::schedule {
namespace {

// How long a check held back by the per-host limit waits before it asks
// again, in ticks.
constexpr int kHostRetryTicks = 2;
// A newly scheduled monitor runs within this window (or its interval, if
// shorter), spread by its phase, rather than up to a whole interval later.
constexpr Micros kFirstRunWindow = 60'000'000;
// Start lag buckets (seconds): fine below 100 ms, where the target is.
const std::vector<double> kLagBuckets = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                         0.2,   0.5,   1,     2,    5,    10};

uint64_t Mix(uint64_t x) {  // splitmix64: spreads consecutive ids evenly
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

Scheduler::Scheduler(SchedulerOptions options, Submit submit, core::Registry* metrics)
    : options_(options),
      submit_(std::move(submit)),
      wheel_(options.tick, options.wheel_slots, MonotonicMicros()) {
  if (metrics != nullptr) RegisterMetrics(*metrics);
  thread_ = std::thread([this] { Run(); });
}

void Scheduler::RegisterMetrics(core::Registry& metrics) {
  lag_ =
      &metrics.AddHistogram("tocsin_schedule_lag_seconds",
                            "Start lag: when a check started minus when it was due.", kLagBuckets);
  const auto gauge = [&](const char* name, const char* help, const std::atomic<uint64_t>& value) {
    metrics.AddCallbackGauge(name, help, [&value] {
      return static_cast<double>(value.load(std::memory_order_relaxed));
    });
  };
  gauge("tocsin_monitors", "Enabled monitors being scheduled.", monitors_);
  gauge("tocsin_checks_started", "Checks started since start (monotonic).", started_);
  gauge("tocsin_checks_rechecked",
        "Extra runs started since start to confirm a failure or a recovery (monotonic).",
        rechecks_started_);
  gauge("tocsin_checks_skipped_overlap",
        "Runs skipped since start because the previous run of the monitor was still going.",
        skipped_overlap_);
  gauge("tocsin_checks_skipped_missed",
        "Runs missed since start because the scheduler fell behind (monotonic).", skipped_missed_);
  gauge("tocsin_checks_deferred_host",
        "Times a due check waited for the per-host limit since start (monotonic).", deferred_host_);
}

Scheduler::~Scheduler() {
  Stop();
}

int64_t Scheduler::NextDueUnixMicros(model::MonitorId id, Micros interval, int64_t now_unix) {
  const int64_t phase = static_cast<int64_t>(Mix(id) % static_cast<uint64_t>(interval));
  const int64_t shifted = now_unix - phase;
  const int64_t k = shifted >= 0 ? shifted / interval : (shifted - interval + 1) / interval;
  return (k + 1) * interval + phase;
}

void Scheduler::Apply(std::vector<MonitorPlan> plans) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::make_unique<std::vector<MonitorPlan>>(std::move(plans));
  }
  cv_.notify_one();
}

void Scheduler::Done(model::JobId job) {
  std::lock_guard lock(done_mu_);
  done_.push_back(job);
}

void Scheduler::Recheck(model::MonitorId monitor, Micros delay) {
  std::lock_guard lock(done_mu_);
  rechecks_.emplace_back(monitor, delay);
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

SchedulerStats Scheduler::stats() const {
  SchedulerStats s;
  s.started = started_.load(std::memory_order_relaxed);
  s.skipped_overlap = skipped_overlap_.load(std::memory_order_relaxed);
  s.skipped_missed = skipped_missed_.load(std::memory_order_relaxed);
  s.deferred_host = deferred_host_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.monitors = monitors_.load(std::memory_order_relaxed);
  s.rechecks = rechecks_started_.load(std::memory_order_relaxed);
  return s;
}

void Scheduler::Run() {
  while (true) {
    std::unique_ptr<std::vector<MonitorPlan>> pending;
    {
      std::unique_lock lock(mu_);
      const Micros now = MonotonicMicros();
      const Micros wait = options_.tick - now % options_.tick;
      cv_.wait_for(lock, std::chrono::microseconds(wait),
                   [&] { return stopping_ || pending_ != nullptr; });
      if (stopping_) break;
      pending = std::move(pending_);
    }
    // Finished runs first, so a slot they free is seen by this tick's starts.
    TakeDone();
    if (pending) ApplyPlans(*pending);
    const Micros now = MonotonicMicros();
    TakeRechecks(now);
    wheel_.Advance(now, [&](Micros, WheelItem item) {
      if (item.extra) {
        FireRecheck(item, now);
      } else {
        Fire(item, now);
      }
    });
  }
}

void Scheduler::TakeDone() {
  {
    std::lock_guard lock(done_mu_);
    done_batch_.swap(done_);
  }
  for (const model::JobId& job : done_batch_) {
    if (job.index >= slots_.size()) continue;
    Slot& s = slots_[job.index];
    if (!s.running || s.run != job.generation) continue;  // stale: not this slot's run
    s.running = false;
    --s.running_host->in_flight;
    if (!s.in_use) free_slots_.push_back(job.index);  // removed while it ran
  }
  done_batch_.clear();
}

void Scheduler::TakeRechecks(Micros now) {
  std::vector<std::pair<model::MonitorId, Micros>> requests;
  {
    std::lock_guard lock(done_mu_);
    requests.swap(rechecks_);
  }
  for (const auto& [monitor, delay] : requests) {
    auto it = index_of_.find(monitor);
    if (it == index_of_.end()) continue;
    Slot& s = slots_[it->second];
    if (!s.plan.enabled || s.recheck_pending) continue;
    s.recheck_pending = true;
    wheel_.Insert(now + delay, WheelItem{it->second, s.generation, now + delay, /*extra=*/true});
  }
}

void Scheduler::FireRecheck(WheelItem item, Micros now) {
  Slot& s = slots_[item.index];
  if (!s.in_use || item.generation != s.generation) return;
  s.recheck_pending = false;
  // Never overlapping a run, never past the host's limit: the grid's next
  // run will confirm instead.
  if (s.running || s.host->in_flight >= options_.per_host_concurrency) return;
  ++s.run;
  s.running = true;
  s.running_host = s.host;
  ++s.host->in_flight;
  if (submit_(s.plan.check, model::JobId{s.id, item.index, s.run})) {
    rechecks_started_.fetch_add(1, std::memory_order_relaxed);
    if (lag_) lag_->Observe(static_cast<double>(now - item.due) / 1e6);
  } else {
    s.running = false;
    --s.host->in_flight;
    rejected_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Scheduler::Release(uint32_t index) {
  Slot& s = slots_[index];
  s.in_use = false;
  ++s.generation;  // drops its wheel items
  s.recheck_pending = false;
  if (!s.running) free_slots_.push_back(index);  // else when its run is done
}

void Scheduler::ApplyPlans(std::vector<MonitorPlan>& plans) {
  const Micros now_mono = MonotonicMicros();
  const int64_t now_unix = UnixMicros();
  std::unordered_map<model::MonitorId, MonitorPlan*> wanted;
  wanted.reserve(plans.size());
  for (MonitorPlan& p : plans) wanted[p.id] = &p;
  // Monitors that went away stop being scheduled.
  for (auto it = index_of_.begin(); it != index_of_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    Release(it->second);
    it = index_of_.erase(it);
  }
  uint64_t enabled = 0;
  for (auto& [id, plan] : wanted) {
    auto [it, is_new] = index_of_.try_emplace(id, 0);
    if (is_new) {
      if (free_slots_.empty()) {
        it->second = static_cast<uint32_t>(slots_.size());
        slots_.emplace_back();
      } else {
        it->second = free_slots_.back();
        free_slots_.pop_back();
      }
      Slot& fresh = slots_[it->second];
      fresh.id = id;
      fresh.in_use = true;
      fresh.recheck_pending = false;
    }
    Slot& s = slots_[it->second];
    const bool timing_changed =
        is_new || s.plan.interval != plan->interval || s.plan.enabled != plan->enabled;
    s.plan = std::move(*plan);
    s.host = SlotFor(*s.plan.check);
    if (s.plan.enabled) ++enabled;
    if (timing_changed) {
      ++s.generation;  // drops the old wheel item, if any
      s.recheck_pending = false;
      if (s.plan.enabled) Schedule(it->second, now_mono, now_unix);
    }
  }
  monitors_.store(enabled, std::memory_order_relaxed);
}

void Scheduler::Schedule(uint32_t index, Micros now_mono, int64_t now_unix) {
  const Slot& s = slots_[index];
  const Micros window = std::min(s.plan.interval, kFirstRunWindow);
  const int64_t due_unix = NextDueUnixMicros(s.id, window, now_unix);
  const Micros due = now_mono + (due_unix - now_unix);
  wheel_.Insert(due, WheelItem{index, s.generation, due});
}

void Scheduler::Fire(WheelItem item, Micros now) {
  Slot& s = slots_[item.index];
  if (!s.in_use || item.generation != s.generation) return;
  const Micros due = item.due;
  const Micros interval = s.plan.interval;
  // The next run keeps the grid of this one: due + k * interval, the first
  // one ahead of now. Runs the scheduler could not start in time are
  // counted, not bunched up.
  Micros next = due + interval;
  if (next <= now) {
    const Micros missed = (now - due) / interval;
    skipped_missed_.fetch_add(static_cast<uint64_t>(missed), std::memory_order_relaxed);
    next = due + (missed + 1) * interval;
  }

  if (s.running) {
    skipped_overlap_.fetch_add(1, std::memory_order_relaxed);
  } else if (s.host->in_flight >= options_.per_host_concurrency) {
    deferred_host_.fetch_add(1, std::memory_order_relaxed);
    const Micros retry = now + kHostRetryTicks * options_.tick;
    if (retry < next) {
      // Ask again shortly, keeping the original due time (the lag grows).
      wheel_.Insert(retry, item);
      return;
    }
    skipped_missed_.fetch_add(1, std::memory_order_relaxed);
  } else {
    ++s.run;
    s.running = true;
    s.running_host = s.host;
    ++s.host->in_flight;
    if (submit_(s.plan.check, model::JobId{s.id, item.index, s.run})) {
      started_.fetch_add(1, std::memory_order_relaxed);
      if (lag_) lag_->Observe(static_cast<double>(now - due) / 1e6);
    } else {
      s.running = false;
      --s.host->in_flight;
      rejected_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  wheel_.Insert(next, WheelItem{item.index, item.generation, next});
}

Scheduler::HostSlot* Scheduler::SlotFor(const probe::PreparedCheck& check) {
  const std::string key = check.url().host + ":" + std::to_string(check.url().port);
  auto& slot = hosts_[key];
  if (!slot) slot = std::make_unique<HostSlot>();
  return slot.get();
}

}  // namespace tocsin::schedule
