#include "app/server.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/monitors.h"
#include "api/ops.h"
#include "core/metrics.h"
#include "model/monitor.h"
#include "pipeline/pipeline.h"
#include "probe/check_options.h"
#include "probe/engine.h"
#include "schedule/scheduler.h"
#include "store/store.h"
#include "web/http_server.h"

namespace tocsin::app {
namespace {

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

}  // namespace

struct Server::Parts {
  config::ServerConfig settings;
  // Declared first, destroyed last: the others register metrics in it.
  core::Registry registry;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<schedule::Scheduler> scheduler;
  std::unique_ptr<probe::Engine> engine;
  std::unique_ptr<web::HttpServer> http;

  mutable std::mutex mu;
  api::MonitorList monitors = std::make_shared<std::vector<model::Monitor>>();  // guarded by mu

  bool stopped = false;

  api::MonitorList Monitors() const {
    std::lock_guard lock(mu);
    return monitors;
  }

  Status ApplyMonitors(const config::Config& config) {
    auto ids = store->monitors().SyncMonitors(ToRecords(config));
    if (!ids.ok()) return ids.error();
    std::vector<schedule::MonitorPlan> plans;
    auto list = std::make_shared<std::vector<model::Monitor>>();
    plans.reserve(config.monitors.size());
    list->reserve(config.monitors.size());
    for (size_t i = 0; i < config.monitors.size(); ++i) {
      const auto& m = config.monitors[i];
      plans.push_back(schedule::MonitorPlan{(*ids)[i], m.check, m.interval, m.enabled});
      list->push_back(model::Monitor{(*ids)[i], m.name, m.owner, m.check->spec().url, m.interval,
                                     m.slow_threshold, m.enabled});
    }
    scheduler->Apply(std::move(plans));
    std::lock_guard lock(mu);
    monitors = std::move(list);
    return {};
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

  pipeline::PipelineOptions pipeline_options;
  pipeline_options.recorder.retention = config.server.retention;
  p.pipeline =
      std::make_unique<pipeline::Pipeline>(p.store->results(), pipeline_options, p.registry);
  if (auto latest = p.store->results().LoadLatest(); latest.ok()) {
    p.pipeline->latest().Seed(std::move(*latest));
  } else {
    spdlog::warn("cannot load the monitors' latest results: {}", latest.error().message);
  }

  schedule::SchedulerOptions scheduler_options;
  scheduler_options.per_host_concurrency = config.server.per_host_concurrency;
  p.scheduler = std::make_unique<schedule::Scheduler>(
      scheduler_options,
      [&p](std::shared_ptr<const probe::PreparedCheck> check, model::JobId job) {
        return p.engine->Submit(std::move(check), job);
      },
      &p.registry);

  probe::EngineOptions engine_options;
  engine_options.shards = config.server.shards;
  engine_options.max_in_flight_per_shard = config.server.max_in_flight;
  engine_options.address_policy.allow_private = config.server.allow_private;
  engine_options.address_policy.allow = config.server.allow_cidrs;
  engine_options.resolver.servers = config.server.dns_servers;
  // The local probe's results: the run is over for the scheduler, and the
  // record enters the pipeline (docs/architecture.md, "A result's path").
  auto engine = probe::Engine::Start(engine_options, [&p](probe::CheckResult&& r) {
    p.scheduler->Done(r.job);
    p.pipeline->Accept(probe::ToRecord(r, model::kLocalLocation));
  });
  if (!engine.ok()) return engine.error();
  p.engine = std::move(*engine);
  p.engine->RegisterMetrics(p.registry);

  if (Status s = p.ApplyMonitors(config); !s.ok()) return s.error();

  api::Router router;
  router.Add(api::OpsRoutes(p.registry));
  router.Add(api::MonitorRoutes([&p] { return p.Monitors(); }, p.pipeline->latest()));
  web::HttpServerOptions http_options;
  http_options.listen = config.server.listen;
  auto http = web::HttpServer::Start(http_options, std::move(router));
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
  // flight (bounded by each check's timeout) to the pipeline, whose recorder
  // commits it.
  if (p.scheduler) p.scheduler->Stop();
  if (p.engine) p.engine->Stop();
  if (p.pipeline) p.pipeline->Stop();
  if (p.http) p.http->Stop();
}

std::string Server::address() const {
  return parts_->http ? parts_->http->address() : "";
}

size_t Server::monitor_count() const {
  return parts_->Monitors()->size();
}

}  // namespace tocsin::app
