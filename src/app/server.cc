#include "app/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "account/accounts.h"
#include "account/password.h"
#include "alert/engine.h"
#include "api/monitors.h"
#include "api/routes.h"
#include "app/catalog.h"
#include "core/metrics.h"
#include "model/monitor.h"
#include "net/host_port.h"
#include "notify/notifier.h"
#include "pipeline/pipeline.h"
#include "probe/check_options.h"
#include "probe/engine.h"
#include "report/weekly_job.h"
#include "schedule/scheduler.h"
#include "store/store.h"
#include "web/http_server.h"

namespace tocsin::app {
namespace {

// The store's name for the key that signs acknowledgement links.
constexpr const char* kAckSecret = "ack-links";
constexpr const char* kUnsubscribeSecret = "unsubscribe-links";
constexpr int kHttpThreads = 4;
// Account mail not delivered within a day is given up: its links expire.
constexpr int64_t kAccountMailLifetimeMs = 86'400'000;

std::string PublicUrl(const config::ServerConfig& server) {
  if (!server.public_url.empty()) return server.public_url;
  auto address = net::ParseListenAddress(server.listen);
  if (!address.ok()) return "http://" + server.listen;
  if (address->ip == net::IpAddress::V4(0)) address->ip = net::IpAddress::V4(0x7f000001);
  return "http://" + address->ToString();
}

// The SMTP server an administrator set in the console (the store's
// api::kSmtpSetting), as the notifier takes it; none: the mail drop.
notify::MailSettings StoredMail(store::Store& store, const std::string& default_from) {
  notify::MailSettings mail;
  mail.from = default_from;
  auto stored = store.accounts().GetSetting(api::kSmtpSetting, "");
  if (!stored.ok() || stored->empty()) return mail;
  const nlohmann::json s = nlohmann::json::parse(*stored, nullptr, false);
  if (!s.is_object() || s.value("host", "").empty()) return mail;
  notify::SmtpSettings smtp;
  smtp.host = s.value("host", "");
  smtp.port = static_cast<uint16_t>(s.value("port", 587));
  const std::string tls = s.value("tls", "starttls");
  smtp.tls = tls == "tls"    ? notify::SmtpSettings::Tls::kImplicit
             : tls == "none" ? notify::SmtpSettings::Tls::kNone
                             : notify::SmtpSettings::Tls::kStartTls;
  smtp.username = s.value("username", "");
  smtp.password = s.value("password", "");
  mail.smtp = smtp;
  if (!s.value("from", "").empty()) mail.from = s.value("from", "");
  return mail;
}

Result<std::unique_ptr<notify::Notifier>> StartNotifier(const config::Config& config,
                                                        store::Store& store,
                                                        core::Registry& registry) {
  const config::ServerConfig& server = config.server;
  notify::NotifierOptions options;
  options.maildir = server.data_dir + "/mail";
  options.mail_from = server.smtp.from;
  options.public_url = PublicUrl(server);
  options.group_window = config.group_window;
  options.address_policy.allow_private = server.allow_private;
  options.address_policy.allow = server.allow_cidrs;
  if (!server.smtp.host.empty()) {
    notify::SmtpSettings smtp;
    smtp.host = server.smtp.host;
    smtp.port = server.smtp.port;
    smtp.tls = static_cast<notify::SmtpSettings::Tls>(server.smtp.tls);
    smtp.username = server.smtp.username;
    smtp.password = server.smtp.password;
    smtp.ca_file = server.smtp.ca_file;
    options.smtp = smtp;
  } else if (notify::MailSettings mail = StoredMail(store, server.smtp.from); mail.smtp) {
    spdlog::info("mail goes to {}:{}, as set in the console", mail.smtp->host, mail.smtp->port);
    options.smtp = mail.smtp;
    options.mail_from = mail.from;
  } else {
    spdlog::info(
        "no SMTP server set (server.smtp, or the console's administration page): mail is "
        "written to {}/new",
        options.maildir);
  }
  auto key = store.alerts().Secret(kAckSecret);
  if (!key.ok()) return key.error();
  options.ack_key = *key;
  return notify::Notifier::Start(store.alerts(), std::move(options), &registry);
}

// Mail about accounts goes through the outbox like alerts: stored first, so
// a confirmation link survives an SMTP outage or a restart.
// With no SMTP server the mail goes to the local mail drop, and the links in
// it are printed in the log too: whoever runs a new server finds the
// administrator's confirmation link where they are already looking.
account::Mailer AccountMailer(store::Store& store, notify::Notifier& notifier, bool file_smtp) {
  return [&store, &notifier, file_smtp](const std::string& to, const std::string& subject,
                                        const std::string& text,
                                        const std::string& dedup_key) -> Status {
    if (!file_smtp && !StoredMail(store, "").smtp) {
      const size_t at = text.find("http");
      const std::string link =
          at == std::string::npos ? "" : text.substr(at, text.find_first_of(" \n", at) - at);
      spdlog::info("mail to {} ('{}') is in the mail drop{}{}", to, subject,
                   link.empty() ? "" : "; its link: ", link);
    }
    const int64_t now_ms = UnixMicros() / 1000;
    store::OutboxRow row;
    row.dedup_key = "account:" + dedup_key;
    row.recipient = to;
    row.event = model::NoticeEvent::kAccountMail;
    row.payload = nlohmann::json{{"subject", subject}, {"text", text}}.dump();
    row.created_ms = now_ms;
    row.next_attempt_ms = now_ms;
    row.expires_ms = now_ms + kAccountMailLifetimeMs;
    if (Status s = store.alerts().Apply({}, std::span(&row, 1)); !s.ok()) return s;
    notifier.Wake();
    return {};
  };
}

}  // namespace

struct Server::Parts {
  config::ServerConfig settings;
  // Declared first, destroyed last: the others register metrics in it.
  core::Registry registry;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<notify::Notifier> notifier;
  std::unique_ptr<alert::AlertEngine> alerts;
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<schedule::Scheduler> scheduler;
  std::unique_ptr<probe::Engine> engine;
  std::unique_ptr<AdhocChecks> adhoc;  // before the catalog, which uses it
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<account::Accounts> accounts;
  std::unique_ptr<report::WeeklyJob> weekly;
  // Last: its handlers use the parts above.
  std::unique_ptr<web::HttpServer> http;

  bool stopped = false;
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

  auto notifier = StartNotifier(config, *p.store, p.registry);
  if (!notifier.ok()) return notifier.error();
  p.notifier = std::move(*notifier);
  auto alerts = alert::AlertEngine::Start(
      p.store->alerts(), {},
      [&p](model::MonitorId id, Micros delay) {
        if (p.scheduler) p.scheduler->Recheck(id, delay);
      },
      [&p] { p.notifier->Wake(); }, &p.registry);
  if (!alerts.ok()) return alerts.error();
  p.alerts = std::move(*alerts);

  pipeline::PipelineOptions pipeline_options;
  pipeline_options.recorder.retention = config.server.retention;
  pipeline_options.alerts = p.alerts.get();
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

  auto adhoc = AdhocChecks::Start(engine_options);
  if (!adhoc.ok()) return adhoc.error();
  p.adhoc = std::move(*adhoc);
  p.catalog =
      std::make_unique<Catalog>(*p.store, *p.scheduler, *p.alerts, *p.notifier, p.adhoc.get());
  if (Status s = p.catalog->LoadStored(); !s.ok()) return s.error();
  if (Status s = p.catalog->SetFile(config); !s.ok()) return s.error();

  account::AccountOptions account_options;
  account_options.public_url = PublicUrl(config.server);
  p.accounts = std::make_unique<account::Accounts>(
      *p.store, AccountMailer(*p.store, *p.notifier, !config.server.smtp.host.empty()),
      account_options);

  auto ack_key = p.store->alerts().Secret(kAckSecret);
  if (!ack_key.ok()) return ack_key.error();
  auto unsubscribe_key = p.store->alerts().Secret(kUnsubscribeSecret);
  if (!unsubscribe_key.ok()) return unsubscribe_key.error();
  p.weekly = std::make_unique<report::WeeklyJob>(
      *p.store, report::WeeklyJobOptions{.public_url = account_options.public_url,
                                         .unsubscribe_key = *unsubscribe_key,
                                         .wake = [&p] { p.notifier->Wake(); }});
  p.weekly->Start();
  // Over TLS, ours or a terminating proxy's (the public address says
  // https), the cookie is Secure.
  api::ApiContext context{
      p.accounts.get(), p.store.get(),
      !config.server.tls_cert.empty() || account_options.public_url.starts_with("https://")};
  context.file_smtp = !config.server.smtp.host.empty();
  context.public_url = account_options.public_url;
  context.outbox_changed = [notifier = p.notifier.get()] { notifier->Wake(); };
  context.mail_changed = [store = p.store.get(), notifier = p.notifier.get(),
                          from = config.server.smtp.from] {
    notifier->SetMail(StoredMail(*store, from));
  };
  context.addresses_changed = [catalog = p.catalog.get()] {
    if (Status s = catalog->SettingsChanged(); !s.ok()) {
      spdlog::warn("alert channels not rebuilt after an address change: {}", s.error().message);
    }
  };
  context.accounts_changed = [catalog = p.catalog.get()] {
    if (Status s = catalog->StoredRemoved(); !s.ok()) {
      spdlog::warn("monitors not reloaded after a deletion: {}", s.error().message);
    }
  };
  api::Router router =
      api::AllRoutes({context, p.catalog.get(), &p.pipeline->latest(), p.alerts.get(), *ack_key,
                      &p.registry, p.weekly.get(), config.server.status_page_cache / 1000});
  web::HttpServerOptions http_options;
  http_options.listen = config.server.listen;
  // Handlers run on these threads; a login spends ~0.1 s of one on its
  // Argon2id hash, so the others keep the API answering meanwhile.
  http_options.threads = kHttpThreads;
  // ...and at most half of them hash at once, one core's worth kept free
  // (bench/api_load.py: a login flood must leave the API and checks running).
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  account::SetPasswordSlots(std::clamp(cores - 1, 1, kHttpThreads / 2));
  http_options.trusted_proxies = config.server.trusted_proxies;
  http_options.tls_cert_file = config.server.tls_cert;
  http_options.tls_key_file = config.server.tls_key;
  if (!config.server.access_log.empty()) {
    auto log = web::AccessLog::Open(config.server.access_log);
    if (!log.ok()) return log.error();
    http_options.access_log = std::move(*log);
  }
  auto http = web::HttpServer::Start(http_options, std::move(router));
  if (!http.ok()) return http.error();
  p.http = std::move(*http);
  return server;
}

Result<std::string> Server::Reload(const config::Config& config) {
  Parts& p = *parts_;
  if (Status s = p.catalog->SetFile(config); !s.ok()) return s.error();
  std::string warning;
  const auto& old = p.settings;
  const auto& now = config.server;
  if (old.listen != now.listen || old.data_dir != now.data_dir || old.shards != now.shards ||
      old.max_in_flight != now.max_in_flight || old.allow_private != now.allow_private ||
      old.dns_servers != now.dns_servers || old.per_host_concurrency != now.per_host_concurrency ||
      old.retention != now.retention || old.smtp != now.smtp || old.public_url != now.public_url ||
      old.access_log != now.access_log || old.tls_cert != now.tls_cert ||
      old.tls_key != now.tls_key || old.trusted_proxies.size() != now.trusted_proxies.size() ||
      old.status_page_cache != now.status_page_cache) {
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
  // Then alerts: what is judged is stored, what is stored is delivered if
  // it can be in the time its requests take (the rest after a restart).
  if (p.alerts) p.alerts->Stop();
  if (p.weekly) p.weekly->Stop();
  if (p.notifier) p.notifier->Stop();
  if (p.http) p.http->Stop();
}

std::string Server::address() const {
  return parts_->http ? parts_->http->address() : "";
}

size_t Server::monitor_count() const {
  return parts_->catalog ? parts_->catalog->Snapshot()->size() : 0;
}

}  // namespace tocsin::app
