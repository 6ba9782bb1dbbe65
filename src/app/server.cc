#include "app/server.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/metrics.h"
#include "probe/engine.h"
#include "schedule/scheduler.h"
#include "store/recorder.h"
#include "store/store.h"
#include "web/http_server.h"

namespace tocsin::app {
namespace {

// Start lag buckets (seconds): fine below 100 ms, where the target is.
const std::vector<double> kLagBuckets = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                         0.2,   0.5,   1,     2,    5,    10};
const std::vector<double> kWriteBuckets = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                           0.1,   0.2,   0.5,   1,    2,    5};

uint32_t ClampU32(int64_t v) {
  return static_cast<uint32_t>(std::clamp<int64_t>(v, 0, UINT32_MAX));
}

store::StoredResult ToStored(store::MonitorId id, const probe::CheckResult& r) {
  store::StoredResult s;
  s.monitor = id;
  s.ts_ms = r.started_at / 1000;
  s.outcome = static_cast<uint8_t>(r.outcome);
  s.status = r.http_status;
  s.ip = r.ip.valid() ? r.ip.ToString() : "";
  s.dns_us = ClampU32(r.timings.dns);
  s.connect_us = ClampU32(r.timings.connect);
  s.tls_us = ClampU32(r.timings.tls);
  s.ttfb_us = ClampU32(r.timings.ttfb);
  s.download_us = ClampU32(r.timings.download);
  s.total_us = ClampU32(r.timings.total);
  s.bytes = ClampU32(static_cast<int64_t>(r.bytes));
  s.detail = r.detail;
  return s;
}

std::vector<store::MonitorRecord> ToRecords(const config::Config& config) {
  std::vector<store::MonitorRecord> records;
  records.reserve(config.monitors.size());
  for (const auto& m : config.monitors) {
    records.push_back(store::MonitorRecord{0, m.name, m.owner, m.check->spec().url,
                                           probe::SpecToJson(m.check->spec()).dump(), m.interval,
                                           m.enabled});
  }
  return records;
}

struct MonitorInfo {
  store::MonitorId id;
  std::string name;
  std::shared_ptr<const probe::PreparedCheck> check;
  Micros interval;
  bool enabled;
};

}  // namespace

struct Server::Parts {
  config::ServerConfig settings;
  std::unique_ptr<store::Store> store;
  core::Registry registry;
  core::Counter* outcome_counters[probe::kOutcomeCount] = {};
  core::Histogram* lag = nullptr;
  core::Histogram* write_latency = nullptr;
  std::unique_ptr<store::Recorder> recorder;
  std::unique_ptr<schedule::Scheduler> scheduler;
  std::unique_ptr<probe::Engine> engine;
  std::unique_ptr<web::HttpServer> http;

  // The monitor table and the latest state of each monitor, for the API.
  mutable std::mutex mu;
  std::vector<MonitorInfo> monitors;                                // guarded by mu
  std::unordered_map<store::MonitorId, store::LatestState> latest;  // guarded by mu

  bool stopped = false;

  void OnResult(store::MonitorId id, probe::CheckResult&& r) {
    outcome_counters[static_cast<int>(r.outcome)]->Increment();
    store::StoredResult stored = ToStored(id, r);
    {
      std::lock_guard lock(mu);
      latest[id] = store::LatestState{
          id, stored.ts_ms, stored.outcome, stored.status, stored.total_us, stored.detail};
    }
    recorder->Enqueue(std::move(stored));
  }

  Status ApplyMonitors(const config::Config& config) {
    auto ids = store->SyncMonitors(ToRecords(config));
    if (!ids.ok()) return ids.error();
    std::vector<schedule::MonitorPlan> plans;
    std::vector<MonitorInfo> infos;
    plans.reserve(config.monitors.size());
    infos.reserve(config.monitors.size());
    for (size_t i = 0; i < config.monitors.size(); ++i) {
      const auto& m = config.monitors[i];
      plans.push_back(schedule::MonitorPlan{(*ids)[i], m.check, m.interval, m.enabled});
      infos.push_back(MonitorInfo{(*ids)[i], m.name, m.check, m.interval, m.enabled});
    }
    scheduler->Apply(std::move(plans));
    std::lock_guard lock(mu);
    monitors = std::move(infos);
    return {};
  }

  void RegisterMetrics() {
    auto& checks =
        registry.AddCounter("tocsin_checks_total", "Checks completed, by outcome.", {"outcome"});
    for (int i = 0; i < probe::kOutcomeCount; ++i) {
      outcome_counters[i] =
          &checks.WithLabels({probe::OutcomeName(static_cast<probe::Outcome>(i))});
    }
    lag = &registry.AddHistogram("tocsin_schedule_lag_seconds",
                                 "Start lag: when a check started minus when it was due.",
                                 kLagBuckets);
    write_latency = &registry.AddHistogram("tocsin_store_write_seconds",
                                           "Time to commit one batch of results.", kWriteBuckets);
    registry.AddCallbackGauge("tocsin_checks_in_flight", "Checks running now.", [this] {
      return engine ? static_cast<double>(engine->stats().in_flight) : 0.0;
    });
    registry.AddCallbackGauge(
        "tocsin_engine_queue_depth", "Checks waiting for an engine slot.",
        [this] { return engine ? static_cast<double>(engine->stats().queued) : 0.0; });
    registry.AddCallbackGauge("tocsin_monitors", "Enabled monitors being scheduled.",
                              [this] { return static_cast<double>(scheduler->stats().monitors); });
    registry.AddCallbackGauge(
        "tocsin_recorder_queue_depth", "Results waiting to be stored.",
        [this] { return static_cast<double>(recorder->stats().queue_depth); });
    registry.AddCallbackGauge("tocsin_results_committed", "Results stored since start (monotonic).",
                              [this] { return static_cast<double>(recorder->stats().committed); });
    registry.AddCallbackGauge(
        "tocsin_results_dropped",
        "Results lost since start because the recorder's queue was full (monotonic).",
        [this] { return static_cast<double>(recorder->stats().dropped); });
    registry.AddCallbackGauge("tocsin_store_failing",
                              "1 while the store refuses writes (disk full, I/O error).",
                              [this] { return recorder->stats().failing ? 1.0 : 0.0; });
    registry.AddCallbackGauge("tocsin_checks_started", "Checks started since start (monotonic).",
                              [this] { return static_cast<double>(scheduler->stats().started); });
    registry.AddCallbackGauge(
        "tocsin_checks_skipped_overlap",
        "Runs skipped since start because the previous run of the monitor was still going.",
        [this] { return static_cast<double>(scheduler->stats().skipped_overlap); });
    registry.AddCallbackGauge(
        "tocsin_checks_skipped_missed",
        "Runs missed since start because the scheduler fell behind (monotonic).",
        [this] { return static_cast<double>(scheduler->stats().skipped_missed); });
    registry.AddCallbackGauge(
        "tocsin_checks_deferred_host",
        "Times a due check waited for the per-host limit since start (monotonic).",
        [this] { return static_cast<double>(scheduler->stats().deferred_host); });
  }

  web::Router MakeRouter() {
    web::Router router;
    router.Get("/healthz", [](const web::Request&) { return web::Response::Text(200, "ok\n"); });
    router.Get("/metrics", [this](const web::Request&) {
      web::Response r = web::Response::Text(200, registry.RenderText());
      r.content_type = std::string(core::kPrometheusTextContentType);
      return r;
    });
    router.Get("/api/v1/monitors", [this](const web::Request&) {
      nlohmann::json list = nlohmann::json::array();
      std::lock_guard lock(mu);
      for (const MonitorInfo& m : monitors) {
        nlohmann::json j = {{"id", m.id},
                            {"name", m.name},
                            {"url", m.check->spec().url},
                            {"interval_s", m.interval / 1'000'000},
                            {"enabled", m.enabled}};
        if (auto it = latest.find(m.id); it != latest.end()) {
          const auto& s = it->second;
          j["latest"] = {{"ts_ms", s.ts_ms},
                         {"outcome", probe::OutcomeName(static_cast<probe::Outcome>(s.outcome))},
                         {"status", s.status},
                         {"total_us", s.total_us},
                         {"detail", s.detail}};
        }
        list.push_back(std::move(j));
      }
      web::Response r = web::Response::Text(200, list.dump());
      r.content_type = "application/json";
      return r;
    });
    return router;
  }
};

Server::Server() : parts_(std::make_unique<Parts>()) {}

Server::~Server() {
  Stop();
}

Result<std::unique_ptr<Server>> Server::Start(const config::Config& config) {
  std::unique_ptr<Server> server(new Server());
  Parts& p = *server->parts_;
  p.settings = config.server;
  const std::string& dir = config.server.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create data dir " + dir + ": " + ec.message());

  auto store = store::OpenSqliteStore({.path = dir + "/tocsin.db"});
  if (!store.ok()) return store.error();
  p.store = std::move(*store);
  if (auto latest = p.store->LoadLatest(); latest.ok()) {
    for (auto& s : *latest) p.latest[s.monitor] = std::move(s);
  }

  p.RegisterMetrics();
  store::RecorderOptions recorder_options;
  recorder_options.retention = config.server.retention;
  p.recorder =
      std::make_unique<store::Recorder>(*p.store, recorder_options, [&p](size_t, Micros latency) {
        p.write_latency->Observe(static_cast<double>(latency) / 1e6);
      });

  schedule::SchedulerOptions scheduler_options;
  scheduler_options.per_host_concurrency = config.server.per_host_concurrency;
  p.scheduler = std::make_unique<schedule::Scheduler>(
      scheduler_options,
      [&p](std::shared_ptr<const probe::PreparedCheck> check, uint64_t token) {
        return p.engine->Submit(std::move(check), token);
      },
      [&p](store::MonitorId id, probe::CheckResult&& r) { p.OnResult(id, std::move(r)); },
      [&p](Micros lag) { p.lag->Observe(static_cast<double>(lag) / 1e6); });

  probe::EngineOptions engine_options;
  engine_options.shards = config.server.shards;
  engine_options.max_in_flight_per_shard = config.server.max_in_flight;
  engine_options.address_policy.allow_private = config.server.allow_private;
  engine_options.address_policy.allow = config.server.allow_cidrs;
  engine_options.resolver.servers = config.server.dns_servers;
  auto engine = probe::Engine::Start(
      engine_options, [&p](probe::CheckResult&& r) { p.scheduler->OnResult(std::move(r)); });
  if (!engine.ok()) return engine.error();
  p.engine = std::move(*engine);

  if (Status s = p.ApplyMonitors(config); !s.ok()) return s.error();

  web::HttpServerOptions http_options;
  http_options.listen = config.server.listen;
  auto http = web::HttpServer::Start(http_options, p.MakeRouter());
  if (!http.ok()) return http.error();
  p.http = std::move(*http);
  return server;
}

Result<std::string> Server::Reload(const config::Config& config) {
  Parts& p = *parts_;
  if (Status s = p.ApplyMonitors(config); !s.ok()) return s.error();
  std::string warning;
  const auto& old = p.settings;
  const auto& now = config.server;
  if (old.listen != now.listen || old.data_dir != now.data_dir || old.shards != now.shards ||
      old.max_in_flight != now.max_in_flight || old.allow_private != now.allow_private ||
      old.dns_servers != now.dns_servers || old.per_host_concurrency != now.per_host_concurrency ||
      old.retention != now.retention) {
    warning = "server settings changed; they take effect at the next restart";
  }
  return warning;
}

void Server::Stop() {
  Parts& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  // Order matters: nothing new is scheduled, the engine delivers what is in
  // flight (bounded by each check's timeout) to the recorder, which commits.
  if (p.scheduler) p.scheduler->Stop();
  if (p.engine) p.engine->Stop();
  if (p.recorder) p.recorder->Stop();
  if (p.http) p.http->Stop();
}

std::string Server::address() const {
  return parts_->http ? parts_->http->address() : "";
}

size_t Server::monitor_count() const {
  std::lock_guard lock(parts_->mu);
  return parts_->monitors.size();
}

}  // namespace tocsin::app
