// The alert engine: the evaluator on a thread of its own, fed by the
// pipeline through a bounded queue, storing each decision (incidents and the
// outbox rows of their notices) in one transaction, so alerting never slows
// a probe thread or the recorder, and a notice is queued exactly when its
// incident change is.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "alert/evaluator.h"
#include "alert/maintenance.h"
#include "core/metrics.h"
#include "store/alerts.h"

namespace tocsin::alert {

struct AlertEngineOptions {
  Micros tick = 1'000'000;                         // reminders, escalation, holds
  size_t queue_capacity = 200'000;                 // results waiting to be judged
  Micros delivery_max_age = 24LL * 3'600'000'000;  // a notice not delivered by then is given up
  Micros store_retry = 1'000'000;                  // after the store refused a write
};

class AlertEngine {
 public:
  // Asks the scheduler for an early re-check of a monitor.
  using Recheck = std::function<void(model::MonitorId, Micros delay)>;
  // Notifications were committed to the outbox (wakes the notifier).
  using Queued = std::function<void()>;

  // Restores the open incidents from `store` and starts the thread.
  static Result<std::unique_ptr<AlertEngine>> Start(store::AlertStore& store,
                                                    AlertEngineOptions options, Recheck recheck,
                                                    Queued queued,
                                                    core::Registry* metrics = nullptr);
  ~AlertEngine();  // stops
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // A check result to judge. Any thread; never blocks on the store. False
  // (and counted) when the queue is full.
  bool Observe(const model::CheckRecord& record);

  // Replaces the rules and the maintenance windows; applied in order with
  // the results queued before.
  void SetRules(std::vector<MonitorRules> rules,
                std::shared_ptr<const MaintenanceSchedule> maintenance);

  // Whether a result of `monitor` at `unix_ms` falls in a maintenance window.
  // Any thread.
  bool InMaintenance(model::MonitorId monitor, int64_t unix_ms) const;

  // Acknowledges an open incident on the engine thread and waits for the
  // answer: the text to show ("acknowledged", "already acknowledged by ...")
  // or NotFound.
  Result<std::string> Acknowledge(int64_t incident_id, std::string by);

  // Judges what is queued, stores every decision (retrying a failing store
  // until `deadline`), and joins the thread. Idempotent.
  void Stop(Micros deadline = 10'000'000);

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t open_incidents() const { return open_.load(std::memory_order_relaxed); }

 private:
  struct SetRulesCommand {
    std::vector<MonitorRules> rules;
    std::shared_ptr<const MaintenanceSchedule> maintenance;
  };
  struct AckCommand {
    int64_t incident_id;
    std::string by;
    std::shared_ptr<std::promise<Result<std::string>>> answer;
  };
  using Command = std::variant<model::CheckRecord, SetRulesCommand, AckCommand>;

  AlertEngine(store::AlertStore& store, AlertEngineOptions options, Recheck recheck, Queued queued,
              int64_t last_id);
  void RegisterMetrics(core::Registry& metrics);
  void Run();
  void Handle(Command& command, int64_t now_ms);
  void Take(Effects effects, int64_t now_ms);
  bool Flush();

  store::AlertStore& store_;
  const AlertEngineOptions options_;
  Recheck recheck_;
  Queued queued_;
  Evaluator evaluator_;  // engine thread only
  int64_t last_id_;      // engine thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Command> queue_;                               // guarded by mu_
  bool stopping_ = false;                                   // guarded by mu_
  std::shared_ptr<const MaintenanceSchedule> maintenance_;  // guarded by mu_

  // Decisions not yet stored (engine thread only).
  std::vector<model::Incident> pending_incidents_;
  std::vector<store::OutboxRow> pending_rows_;
  bool store_failing_ = false;

  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> open_{0};
  std::atomic<uint64_t> notices_{0};
  std::atomic<size_t> depth_{0};
  std::thread thread_;
};

}  // namespace tocsin::alert
