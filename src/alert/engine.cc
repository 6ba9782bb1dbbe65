#include "alert/engine.h"

#include <spdlog/spdlog.h>

#include "alert/notice_json.h"

namespace tocsin::alert {
namespace {

int64_t NowMs() {
  return UnixMicros() / 1000;
}

}  // namespace

Result<std::unique_ptr<AlertEngine>> AlertEngine::Start(store::AlertStore& store,
                                                        AlertEngineOptions options, Recheck recheck,
                                                        Queued queued, core::Registry* metrics) {
  auto last_id = store.MaxIncidentId();
  if (!last_id.ok()) return last_id.error();
  auto open = store.OpenIncidents();
  if (!open.ok()) return open.error();
  std::unique_ptr<AlertEngine> engine(
      new AlertEngine(store, options, std::move(recheck), std::move(queued), *last_id));
  engine->open_.store(open->size(), std::memory_order_relaxed);
  engine->evaluator_.Restore(std::move(*open));
  if (metrics != nullptr) engine->RegisterMetrics(*metrics);
  engine->thread_ = std::thread([e = engine.get()] { e->Run(); });
  return engine;
}

AlertEngine::AlertEngine(store::AlertStore& store, AlertEngineOptions options, Recheck recheck,
                         Queued queued, int64_t last_id)
    : store_(store),
      options_(options),
      recheck_(std::move(recheck)),
      queued_(std::move(queued)),
      evaluator_([this] { return ++last_id_; }),
      last_id_(last_id) {}

AlertEngine::~AlertEngine() {
  Stop();
}

void AlertEngine::RegisterMetrics(core::Registry& metrics) {
  metrics.AddCallbackGauge("tocsin_incidents_open", "Incidents open now.", [this] {
    return static_cast<double>(open_.load(std::memory_order_relaxed));
  });
  metrics.AddCallbackGauge("tocsin_alert_queue_depth", "Results waiting for the alert evaluator.",
                           [this] { return static_cast<double>(depth_.load()); });
  metrics.AddCallbackGauge(
      "tocsin_alert_results_dropped",
      "Results the alert evaluator never saw because its queue was full (monotonic).",
      [this] { return static_cast<double>(dropped_.load()); });
  metrics.AddCallbackGauge("tocsin_notices_queued", "Notifications queued since start (monotonic).",
                           [this] { return static_cast<double>(notices_.load()); });
}

bool AlertEngine::Observe(const model::CheckRecord& record) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.emplace_back(record);
    depth_.store(queue_.size(), std::memory_order_relaxed);
  }
  cv_.notify_one();
  return true;
}

void AlertEngine::SetRules(std::vector<MonitorRules> rules,
                           std::shared_ptr<const MaintenanceSchedule> maintenance) {
  {
    std::lock_guard lock(mu_);
    maintenance_ = maintenance;
    queue_.emplace_back(SetRulesCommand{std::move(rules), std::move(maintenance)});
  }
  cv_.notify_one();
}

bool AlertEngine::InMaintenance(model::MonitorId monitor, int64_t unix_ms) const {
  std::shared_ptr<const MaintenanceSchedule> schedule;
  {
    std::lock_guard lock(mu_);
    schedule = maintenance_;
  }
  return schedule && schedule->Covers(monitor, unix_ms);
}

Result<std::string> AlertEngine::Acknowledge(int64_t incident_id, std::string by) {
  auto answer = std::make_shared<std::promise<Result<std::string>>>();
  auto future = answer->get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Unavailable("the alert engine is stopping");
    queue_.emplace_back(AckCommand{incident_id, std::move(by), answer});
  }
  cv_.notify_one();
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Unavailable("the alert engine did not answer in time");
  }
  return future.get();
}

void AlertEngine::Stop(Micros deadline) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  // What still could not be stored is lost; say how much.
  const Micros until = MonotonicMicros() + deadline;
  while (!Flush() && MonotonicMicros() < until) {
    std::this_thread::sleep_for(std::chrono::microseconds(options_.store_retry));
  }
  if (!pending_incidents_.empty() || !pending_rows_.empty()) {
    spdlog::error("alerts: stopped with {} incident changes and {} notifications not stored",
                  pending_incidents_.size(), pending_rows_.size());
  }
}

void AlertEngine::Run() {
  Micros next_tick = MonotonicMicros();
  std::deque<Command> batch;
  while (true) {
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      const Micros wait = std::max<Micros>(0, next_tick - MonotonicMicros());
      cv_.wait_for(lock, std::chrono::microseconds(store_failing_ ? options_.store_retry : wait),
                   [&] { return stopping_ || !queue_.empty(); });
      stopping = stopping_;
      batch.swap(queue_);
      depth_.store(0, std::memory_order_relaxed);
    }
    const int64_t now_ms = NowMs();
    for (Command& command : batch) Handle(command, now_ms);
    batch.clear();
    if (MonotonicMicros() >= next_tick) {
      Take(evaluator_.Tick(now_ms), now_ms);
      next_tick = MonotonicMicros() + options_.tick;
    }
    Flush();
    open_.store(evaluator_.open_incidents(), std::memory_order_relaxed);
    if (stopping) return;  // Stop() flushes what is left
  }
}

void AlertEngine::Handle(Command& command, int64_t now_ms) {
  if (auto* record = std::get_if<model::CheckRecord>(&command)) {
    Effects effects = evaluator_.Observe(*record, now_ms);
    if (effects.recheck && recheck_) {
      const MonitorRules* rules = evaluator_.RulesOf(record->monitor);
      if (rules != nullptr) recheck_(record->monitor, rules->policy->recheck_after);
    }
    Take(std::move(effects), now_ms);
  } else if (auto* set = std::get_if<SetRulesCommand>(&command)) {
    evaluator_.SetMaintenance(std::move(set->maintenance));
    Take(evaluator_.SetRules(std::move(set->rules), now_ms), now_ms);
  } else if (auto* ack = std::get_if<AckCommand>(&command)) {
    auto effects = evaluator_.Acknowledge(ack->incident_id, ack->by, now_ms);
    if (!effects.ok()) {
      ack->answer->set_value(effects.error());
      return;
    }
    const bool first = !effects->incidents.empty();
    const model::Incident* open = evaluator_.OpenIncident(ack->incident_id);
    const std::string who = open != nullptr ? open->acked_by : "";
    Take(std::move(*effects), now_ms);
    const bool stored = Flush();
    if (first && !stored) {
      ack->answer->set_value(Unavailable("the acknowledgement could not be stored yet"));
    } else {
      ack->answer->set_value(first ? std::string("acknowledged by " + who)
                                   : "already acknowledged by " + who);
    }
  }
}

void AlertEngine::Take(Effects effects, int64_t now_ms) {
  for (model::Incident& inc : effects.incidents) pending_incidents_.push_back(std::move(inc));
  const auto rules_of = [this](model::MonitorId id) { return evaluator_.RulesOf(id); };
  for (const model::Notice& n : effects.notices) {
    const std::string payload = NoticeToJson(n, rules_of);
    for (const std::string& channel : n.channels) {
      store::OutboxRow row;
      row.dedup_key = n.DedupKey(channel);
      row.channel = channel;
      row.incident_id = n.incident_id;
      row.monitor = n.monitor;
      row.event = n.event;
      row.payload = payload;
      row.created_ms = now_ms;
      row.next_attempt_ms = now_ms;
      row.expires_ms = now_ms + options_.delivery_max_age / 1000;
      pending_rows_.push_back(std::move(row));
    }
  }
}

bool AlertEngine::Flush() {
  if (pending_incidents_.empty() && pending_rows_.empty()) return true;
  Status s = store_.Apply(pending_incidents_, pending_rows_);
  if (!s.ok()) {
    if (!store_failing_) {
      spdlog::error("alerts: cannot store {} incident changes and {} notifications, retrying: {}",
                    pending_incidents_.size(), pending_rows_.size(), s.error().message);
    }
    store_failing_ = true;
    return false;
  }
  if (store_failing_) spdlog::info("alerts: the store accepts writes again");
  store_failing_ = false;
  const bool any_rows = !pending_rows_.empty();
  notices_.fetch_add(pending_rows_.size(), std::memory_order_relaxed);
  pending_incidents_.clear();
  pending_rows_.clear();
  if (any_rows && queued_) queued_();
  return true;
}

}  // namespace tocsin::alert
