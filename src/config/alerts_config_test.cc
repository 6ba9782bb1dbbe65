// The alerting parts of the config: server.smtp (and its environment
// variables), notifications, alerts defaults and per-monitor overrides,
// maintenance windows, and the references between them.
#include <gtest/gtest.h>

#include "config/config.h"

namespace tocsin::config {
namespace {

const Environment kNoEnv = EnvironmentFromMap({});

Result<Config> Parse(std::string_view yaml, const Environment& env = kNoEnv) {
  return ParseConfig(yaml, "tocsin.yaml", env);
}

std::string ErrorOf(std::string_view yaml) {
  auto config = Parse(yaml);
  EXPECT_FALSE(config.ok());
  return config.ok() ? std::string() : config.error().message;
}

// The issue's example, as operators will write it.
constexpr std::string_view kExample = R"yaml(
server:
  smtp: {host: mail.example.com, port: 587, tls: starttls, username: u, password: p, from: "Tocsin <tocsin@example.com>"}
notifications:                 # channels, named once
  - name: ops-mail
    type: email                # email | webhook | slack | discord | teams | pagerduty | ntfy | telegram
    to: [ops@example.com]
  - name: pager
    type: pagerduty
    routing_key: abc123
alerts:                        # defaults for every monitor; a monitor may override any of them
  failure_threshold: 2
  success_threshold: 2
  level: down                  # down | degraded | all
  remind_every: 15m            # or never
  notify: [ops-mail]
  escalate_after: 30m
  escalate_to: [pager]
monitors:
  - name: homepage
    url: https://example.com/
    notify: [ops-mail]         # per-monitor override
  - name: api
    url: https://api.example.com/
    depends_on: homepage
    level: all
    remind_every: never
    failure_threshold: 3
)yaml";

TEST(AlertsConfigTest, TheDocumentedExampleReads) {
  auto config = Parse(kExample);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const SmtpConfig& smtp = config->server.smtp;
  EXPECT_EQ(smtp.host, "mail.example.com");
  EXPECT_EQ(smtp.port, 587);
  EXPECT_EQ(smtp.tls, SmtpConfig::Tls::kStartTls);
  EXPECT_EQ(smtp.username, "u");
  EXPECT_EQ(smtp.from, "Tocsin <tocsin@example.com>");
  ASSERT_EQ(config->notifications.size(), 2u);
  EXPECT_EQ(config->notifications[0].type, model::ChannelType::kEmail);
  EXPECT_EQ(config->notifications[0].to, std::vector<std::string>{"ops@example.com"});
  EXPECT_EQ(config->notifications[1].routing_key, "abc123");
  EXPECT_EQ(config->alerts.remind_every, 15 * 60'000'000LL);
  EXPECT_EQ(config->alerts.escalate_to, std::vector<std::string>{"pager"});
  const MonitorConfig& home = config->monitors[0];
  EXPECT_EQ(home.alerts.remind_every, 15 * 60'000'000LL);  // from the defaults
  EXPECT_EQ(home.alerts.notify, std::vector<std::string>{"ops-mail"});
  const MonitorConfig& api = config->monitors[1];
  EXPECT_EQ(api.depends_on, "homepage");
  EXPECT_EQ(api.alerts.level, model::AlertLevel::kAll);
  EXPECT_EQ(api.alerts.remind_every, 0);
  EXPECT_EQ(api.alerts.failure_threshold, 3);
  EXPECT_EQ(api.alerts.success_threshold, 2);  // not overridden
  EXPECT_EQ(api.alerts.escalate_after, 30 * 60'000'000LL);
}

TEST(AlertsConfigTest, SectionsMayComeInAnyOrder) {
  auto config = Parse(
      "monitors:\n  - name: a\n    url: https://a.example/\n"
      "alerts:\n  notify: [m]\n  success_threshold: 4\n"
      "notifications:\n  - {name: m, type: email, to: [a@example.com]}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->monitors[0].alerts.success_threshold, 4);
  EXPECT_EQ(config->monitors[0].alerts.notify, std::vector<std::string>{"m"});
}

TEST(AlertsConfigTest, SmtpFromTheEnvironment) {
  auto config = Parse("", EnvironmentFromMap({{"TOCSIN_SERVER_SMTP_HOST", "smtp.example.org"},
                                              {"TOCSIN_SERVER_SMTP_PORT", "465"},
                                              {"TOCSIN_SERVER_SMTP_TLS", "tls"},
                                              {"TOCSIN_SERVER_SMTP_PASSWORD", "from-env"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.smtp.host, "smtp.example.org");
  EXPECT_EQ(config->server.smtp.port, 465);
  EXPECT_EQ(config->server.smtp.tls, SmtpConfig::Tls::kImplicit);
  EXPECT_EQ(config->server.smtp.password, "from-env");
  auto bad = Parse("", EnvironmentFromMap({{"TOCSIN_SERVER_SMTP_TLS", "maybe"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "environment variable TOCSIN_SERVER_SMTP_TLS: must be starttls, tls or none, not "
            "'maybe'");
}

TEST(AlertsConfigTest, AnUnknownChannelIsAnErrorAtItsLine) {
  EXPECT_EQ(ErrorOf("notifications:\n  - {name: m, type: email, to: [a@example.com]}\n"
                    "monitors:\n  - name: a\n    url: https://a.example/\n    notify: [n]\n"),
            "tocsin.yaml:6: monitor 'a': notify: no notification channel named 'n' (define it "
            "under 'notifications')");
}

TEST(AlertsConfigTest, ChannelsAreCheckedByTheirKind) {
  EXPECT_EQ(ErrorOf("notifications:\n  - name: m\n    type: email\n    to: [not-an-address]\n"),
            "tocsin.yaml:4: notification 'm': 'not-an-address' is not an email address");
  EXPECT_EQ(ErrorOf("notifications:\n  - name: h\n    type: webhook\n"),
            "tocsin.yaml:2: notification 'h': 'url' is required");
  EXPECT_EQ(ErrorOf("notifications:\n  - name: h\n    type: carrier-pigeon\n"),
            "tocsin.yaml:3: notification 'h': type must be email, webhook, slack, discord, teams, "
            "pagerduty, ntfy or telegram, not 'carrier-pigeon'");
  EXPECT_EQ(ErrorOf("notifications:\n  - {name: a, type: slack, url: 'https://x/'}\n"
                    "  - {name: a, type: slack, url: 'https://y/'}\n"),
            "tocsin.yaml:3: duplicate notification name 'a' (first defined at line 2)");
}

TEST(AlertsConfigTest, BadPolicyValuesNameTheirKey) {
  EXPECT_EQ(ErrorOf("alerts:\n  level: loud\n"),
            "tocsin.yaml:2: alerts.level: must be down, degraded or all, not 'loud'");
  EXPECT_EQ(ErrorOf("alerts:\n  remind_every: 1s\n"),
            "tocsin.yaml:2: alerts.remind_every: '1s' is out of range (10s to 365d), or never");
  EXPECT_EQ(
      ErrorOf("alerts:\n  failure_threshold: 0\n"),
      "tocsin.yaml:2: alerts.failure_threshold: must be a whole number from 1 to 100, not '0'");
  EXPECT_EQ(ErrorOf("alerts:\n  remind: 5m\n"),
            "tocsin.yaml:2: unknown alerts setting 'remind' (see docs/configuration.md, Alerts)");
}

TEST(AlertsConfigTest, DependenciesNameAMonitorAndNeverLoop) {
  EXPECT_EQ(ErrorOf("monitors:\n  - name: a\n    url: https://a.example/\n    depends_on: b\n"),
            "tocsin.yaml:2: monitor 'a': depends_on names no monitor 'b'");
  EXPECT_EQ(ErrorOf("monitors:\n  - name: a\n    url: https://a.example/\n    depends_on: b\n"
                    "  - name: b\n    url: https://b.example/\n    depends_on: a\n"),
            "tocsin.yaml:2: monitor 'a': depends_on goes round in a circle through 'a'");
}

TEST(AlertsConfigTest, MaintenanceWindows) {
  auto config = Parse(R"yaml(
maintenance:
  - name: deploys
    monitors: [a]
    weekly: [mon, thu]
    at: "02:00"
    duration: 30m
    time_zone: Europe/Paris
  - name: migration
    start: "2026-12-24 22:00"
    duration: 2h
monitors:
  - name: a
    url: https://a.example/
)yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->maintenance.size(), 2u);
  const auto& w = config->maintenance[0];
  EXPECT_EQ(w.monitors, std::vector<std::string>{"a"});
  EXPECT_EQ(w.window.repeat, model::MaintenanceWindow::Repeat::kWeekly);
  EXPECT_EQ(w.window.weekdays, 0b1001);
  EXPECT_EQ(w.window.start_local_s, 2 * 3600);
  EXPECT_EQ(w.window.time_zone, "Europe/Paris");
  EXPECT_EQ(config->maintenance[1].window.repeat, model::MaintenanceWindow::Repeat::kOnce);
  EXPECT_TRUE(config->maintenance[1].monitors.empty());

  EXPECT_EQ(ErrorOf("maintenance:\n  - name: x\n    weekly: [mon]\n    at: \"02:00\"\n"
                    "    duration: 1h\n    time_zone: Moon/Base\n"),
            "tocsin.yaml:2: maintenance window 'x': unknown time zone 'Moon/Base' (an IANA name "
            "such as Europe/Paris or UTC)");
  EXPECT_EQ(ErrorOf("maintenance:\n  - name: x\n    weekly: [someday]\n    at: \"02:00\"\n"
                    "    duration: 1h\n"),
            "tocsin.yaml:3: maintenance window #1: 'someday' is not a day (mon, tue, wed, thu, "
            "fri, sat, sun)");
  EXPECT_EQ(ErrorOf("maintenance:\n  - name: x\n    monitors: [nope]\n    start: "
                    "\"2026-12-24 22:00\"\n    duration: 1h\n"),
            "tocsin.yaml:3: maintenance: no monitor named 'nope'");
}

TEST(AlertsConfigTest, PublicUrlIsAUrlWithoutATrailingSlash) {
  auto config = Parse("server:\n  public_url: https://tocsin.example.com/\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.public_url, "https://tocsin.example.com");
  EXPECT_FALSE(Parse("server:\n  public_url: not a url\n").ok());
}

}  // namespace
}  // namespace tocsin::config
