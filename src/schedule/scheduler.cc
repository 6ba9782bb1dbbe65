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

uint64_t Mix(uint64_t x) {  // splitmix64: spreads consecutive ids evenly
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

Scheduler::Scheduler(SchedulerOptions options, Submit submit, Sink sink, LagObserver lag)
    : options_(options),
      submit_(std::move(submit)),
      sink_(std::move(sink)),
      lag_(std::move(lag)),
      wheel_(options.tick, options.wheel_slots, MonotonicMicros()) {
  thread_ = std::thread([this] { Run(); });
}

Scheduler::~Scheduler() {
  Stop();
}

int64_t Scheduler::NextDueUnixMicros(store::MonitorId id, Micros interval, int64_t now_unix) {
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
  return s;
}

void Scheduler::OnResult(probe::CheckResult&& result) {
  Entry* e = reinterpret_cast<Entry*>(result.token);
  HostSlot* host = e->running_host;
  sink_(e->id, std::move(result));
  host->in_flight.fetch_sub(1, std::memory_order_relaxed);
  e->in_flight.store(false, std::memory_order_release);  // last touch: e may be freed after
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
    if (pending) {
      const Micros now_mono = MonotonicMicros();
      const int64_t now_unix = UnixMicros();
      std::unordered_map<store::MonitorId, MonitorPlan*> wanted;
      for (MonitorPlan& p : *pending) wanted[p.id] = &p;
      // Monitors that went away stop being scheduled; their entries live on
      // until the wheel and the engine are done with them.
      for (auto it = active_.begin(); it != active_.end();) {
        if (wanted.count(it->first)) {
          ++it;
          continue;
        }
        it->second->removed = true;
        ++it->second->generation;
        retired_.push_back(std::move(it->second));
        it = active_.erase(it);
      }
      uint64_t enabled = 0;
      for (auto& [id, plan] : wanted) {
        auto& slot = active_[id];
        const bool is_new = slot == nullptr;
        if (is_new) {
          slot = std::make_unique<Entry>();
          slot->id = id;
        }
        Entry& e = *slot;
        const bool timing_changed =
            is_new || e.plan.interval != plan->interval || e.plan.enabled != plan->enabled;
        e.plan = std::move(*plan);
        e.host = SlotFor(*e.plan.check);
        if (e.plan.enabled) ++enabled;
        if (timing_changed) {
          ++e.generation;  // drops the old wheel item, if any
          if (e.plan.enabled) Schedule(e, now_mono, now_unix);
        }
      }
      monitors_.store(enabled, std::memory_order_relaxed);
    }
    const Micros now = MonotonicMicros();
    wheel_.Advance(now, [&](Micros, WheelItem item) { Fire(item, now); });
    for (auto it = retired_.begin(); it != retired_.end();) {
      Entry* e = it->get();
      if (e->wheel_items == 0 && !e->in_flight.load(std::memory_order_acquire)) {
        it = retired_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void Scheduler::Schedule(Entry& e, Micros now_mono, int64_t now_unix) {
  const Micros window = std::min(e.plan.interval, kFirstRunWindow);
  const int64_t due_unix = NextDueUnixMicros(e.id, window, now_unix);
  ++e.wheel_items;
  const Micros due = now_mono + (due_unix - now_unix);
  wheel_.Insert(due, WheelItem{&e, e.generation, due});
}

void Scheduler::Fire(WheelItem item, Micros now) {
  Entry& e = *item.entry;
  const Micros due = item.due;
  --e.wheel_items;
  if (e.removed || item.generation != e.generation) return;
  const Micros interval = e.plan.interval;
  // The next run keeps the grid of this one: due + k * interval, the first
  // one ahead of now. Runs the scheduler could not start in time are
  // counted, not bunched up.
  Micros next = due + interval;
  if (next <= now) {
    const Micros missed = (now - due) / interval;
    skipped_missed_.fetch_add(static_cast<uint64_t>(missed), std::memory_order_relaxed);
    next = due + (missed + 1) * interval;
  }

  if (e.in_flight.load(std::memory_order_acquire)) {
    skipped_overlap_.fetch_add(1, std::memory_order_relaxed);
  } else if (e.host->in_flight.load(std::memory_order_relaxed) >= options_.per_host_concurrency) {
    deferred_host_.fetch_add(1, std::memory_order_relaxed);
    const Micros retry = now + kHostRetryTicks * options_.tick;
    if (retry < next) {
      // Ask again shortly, keeping the original due time (the lag grows).
      ++e.wheel_items;
      wheel_.Insert(retry, item);
      return;
    }
    skipped_missed_.fetch_add(1, std::memory_order_relaxed);
  } else {
    e.running_host = e.host;
    e.host->in_flight.fetch_add(1, std::memory_order_relaxed);
    e.in_flight.store(true, std::memory_order_release);
    if (submit_(e.plan.check, reinterpret_cast<uint64_t>(&e))) {
      started_.fetch_add(1, std::memory_order_relaxed);
      if (lag_) lag_(now - due);
    } else {
      e.host->in_flight.fetch_sub(1, std::memory_order_relaxed);
      e.in_flight.store(false, std::memory_order_release);
      rejected_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  ++e.wheel_items;
  wheel_.Insert(next, WheelItem{&e, item.generation, next});
}

Scheduler::HostSlot* Scheduler::SlotFor(const probe::PreparedCheck& check) {
  const std::string key = check.url().host + ":" + std::to_string(check.url().port);
  auto& slot = hosts_[key];
  if (!slot) slot = std::make_unique<HostSlot>();
  return slot.get();
}

}  // namespace tocsin::schedule
