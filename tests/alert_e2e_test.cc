// Alerting end to end through `tocsin serve`: a target goes down, the alert
// mail reaches a real SMTP server (aiosmtpd) within the confirming re-check
// plus an interval, reminders come at the chosen frequency and stop when the
// emailed link acknowledges the incident, and the recovery mail arrives.
// Faults: kill -9 with an alert not yet delivered, a thousand monitors down
// at once, a monitor flapping on every check, a hanging webhook.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "core/temp_dir.h"
#include "support/notify_sinks.h"
#include "support/serve_process.h"

namespace tocsin::testing {
namespace {

using std::chrono::seconds;

std::vector<ReceivedMail> WithSubject(const std::vector<ReceivedMail>& mails,
                                      const std::string& prefix) {
  std::vector<ReceivedMail> out;
  for (const auto& m : mails) {
    if (m.Header("Subject").starts_with("[Tocsin] " + prefix)) out.push_back(m);
  }
  return out;
}

class AlertE2eTest : public ::testing::Test {
 protected:
  // The server part of a config whose alerts go to the sinks' plain SMTP.
  std::string Server(const NotifySinks& sinks, const std::string& smtp_port = "") const {
    return "server:\n  allow_cidrs: [127.0.0.2/32]\n  per_host_concurrency: 10000\n"
           "  smtp: {host: 127.0.0.2, port: " +
           (smtp_port.empty() ? std::to_string(sinks.smtp) : smtp_port) +
           ", tls: none, from: \"Tocsin <alerts@tocsin.test>\"}\n"
           "notifications:\n  - name: ops\n    type: email\n    to: [ops@example.com]\n";
  }
  std::string Monitor(const std::string& name, const std::string& url,
                      const std::string& extra = "") const {
    return "  - name: " + name + "\n    url: " + url + "\n    interval: 10s\n    timeout: 2s\n" +
           extra;
  }
  nlohmann::json MonitorJson(ServeProcess& serve, int id) {
    const std::string body = serve.ApiGet("/api/v1/monitors/" + std::to_string(id));
    return body.empty() ? nlohmann::json() : nlohmann::json::parse(body, nullptr, false);
  }

  TempDir tmp_{"tocsin-alert-e2e"};
  const std::string dir_ = tmp_.path();
};

TEST_F(AlertE2eTest, DownAlertRemindersAndRecoveryReachTheMailbox) {
  NotifySinks sinks(dir_ + "/sinks", {.tls = false});
  ServeProcess serve(dir_ + "/serve");
  // Fails its first 4 checks, then answers: down after 2, recovered after 2 more.
  serve.WriteConfig(Server(sinks) +
                    "  - name: stuck\n    type: webhook\n    url: " + sinks.HttpUrl("/hang/w") +
                    "\nalerts:\n  notify: [ops, stuck]\n  remind_every: 10s\n"
                    "  recheck_after: 1s\n  group_window: 0s\nmonitors:\n" +
                    Monitor("shop", sinks.HttpUrl("/flaky/4/shop")));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return !WithSubject(sinks.Mails(), "RECOVERED").empty(); },
                                   seconds(90)))
      << serve.Log() << MonitorJson(serve, 1).dump(1);
  const auto checks = sinks.RequestsTo("/flaky/4/shop");
  ASSERT_GE(checks.size(), 6u);
  const double first_failure = checks[0]["time"].get<double>();

  const auto mails = sinks.Mails();
  const auto down = WithSubject(mails, "DOWN: shop");
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].rcpt_tos, std::vector<std::string>{"ops@example.com"});
  EXPECT_NE(down[0].Part("text/plain").find("flaky/4/shop"), std::string::npos);
  // Reminders while it lasted (about 30 s at one per 10 s), then recovery.
  const auto reminders = WithSubject(mails, "Still DOWN: shop");
  EXPECT_GE(reminders.size(), 1u);
  EXPECT_LE(reminders.size(), 3u);
  const auto recovered = WithSubject(mails, "RECOVERED: shop");
  ASSERT_EQ(recovered.size(), 1u);
  // The recovery threads under the alert.
  EXPECT_EQ(recovered[0].Header("In-Reply-To"), down[0].Header("Message-ID"));

  // The alert: within the confirming re-check (1 s) plus one interval
  // (10 s), by the receivers' clock (the check's arrival, the mail's).
  EXPECT_LT(down[0].time - first_failure, 11.0);
  // A hanging webhook held nothing back: every check came on its 10 s grid,
  // or as a re-check a second after a grid run.
  for (size_t i = 1; i < checks.size(); ++i) {
    const double offset = std::fmod(checks[i]["time"].get<double>() - first_failure, 10.0);
    EXPECT_TRUE(offset < 1.6 || offset > 9.5) << "check " << i << " at +" << offset;
  }
  // The incident, stored with its notifications.
  const auto m = MonitorJson(serve, 1);
  ASSERT_EQ(m["incidents"].size(), 1u);
  const auto& inc = m["incidents"][0];
  EXPECT_EQ(inc["kind"], "down");
  EXPECT_EQ(inc["cause"]["outcome"], "http_status");
  EXPECT_NE(inc["ended_ms"], 0);
  EXPECT_EQ(inc["confirmations"], 2);
  size_t delivered = 0;
  for (const auto& n : inc["notifications"]) delivered += n["state"] == "delivered" ? 1 : 0;
  EXPECT_EQ(delivered, 2 + reminders.size());  // opened + reminders + resolved to ops
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

TEST_F(AlertE2eTest, TheEmailedLinkAcknowledgesAndRemindersStop) {
  NotifySinks sinks(dir_ + "/sinks", {.tls = false});
  ServeProcess serve(dir_ + "/serve");
  serve.WriteConfig(Server(sinks) +
                    "alerts:\n  notify: [ops]\n  remind_every: 10s\n"
                    "  recheck_after: 1s\nmonitors:\n" +
                    Monitor("api", sinks.HttpUrl("/fail/api")));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return !WithSubject(sinks.Mails(), "DOWN: api").empty(); },
                                   seconds(30)));
  const std::string text = WithSubject(sinks.Mails(), "DOWN: api")[0].Part("text/plain");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(text, match, std::regex("Acknowledge: http://[^/]+(/ack/\\S+)")))
      << text;
  const std::string path = match[1];
  // GET shows a form and acknowledges nothing (mail scanners fetch links).
  long status = 0;
  const std::string page = HttpGet(serve.address(), path, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("<form method=\"post\">"), std::string::npos) << page;
  const std::string answer = HttpPost(serve.address(), path, "by=alice", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(answer.find("acknowledged by alice"), std::string::npos) << answer;
  const std::string again = HttpPost(serve.address(), path, "by=bob", &status);
  EXPECT_NE(again.find("already acknowledged by alice"), std::string::npos) << again;
  // A forged link is refused.
  HttpPost(serve.address(), path.substr(0, path.size() - 2) + "xx", "", &status);
  EXPECT_EQ(status, 400);
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] { return !WithSubject(sinks.Mails(), "Acknowledged: api").empty(); }, seconds(10)));
  const size_t reminders = WithSubject(sinks.Mails(), "Still DOWN").size();
  std::this_thread::sleep_for(seconds(22));  // two reminder periods
  EXPECT_EQ(WithSubject(sinks.Mails(), "Still DOWN").size(), reminders);
  EXPECT_EQ(MonitorJson(serve, 1)["incidents"][0]["acked_by"], "alice");
}

TEST_F(AlertE2eTest, AnAlertNotYetDeliveredWhenKilledIsDeliveredAfterRestart) {
  const int smtp_port = FreePort();  // nothing listens there yet
  NotifySinks web(dir_ + "/web", {.tls = false});
  ServeProcess serve(dir_ + "/serve");
  serve.WriteConfig(Server(web, std::to_string(smtp_port)) +
                    "alerts:\n  notify: [ops]\n  recheck_after: 1s\nmonitors:\n" +
                    Monitor("api", web.HttpUrl("/fail/api")));
  const int port = FreePort();
  ASSERT_TRUE(serve.Start(port)) << serve.Log();
  // The alert is queued and its first delivery attempt has failed.
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] {
        const auto m = MonitorJson(serve, 1);
        return m.is_object() && !m["incidents"].empty() &&
               !m["incidents"][0]["notifications"].empty() &&
               m["incidents"][0]["notifications"][0]["attempts"] >= 1;
      },
      seconds(30)));
  serve.Signal(SIGKILL);
  serve.Wait();
  NotifySinks mail(dir_ + "/mail", {.smtp_port = smtp_port, .http = false, .tls = false});
  ASSERT_TRUE(serve.Start(port)) << serve.Log();
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return !mail.Mails().empty(); }, seconds(40)));
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(WithSubject(mail.Mails(), "DOWN: api").size(), 1u);
}

TEST_F(AlertE2eTest, AThousandMonitorsDownAtOnceAreAHandfulOfMessages) {
  NotifySinks sinks(dir_ + "/sinks", {.tls = false});
  ServeProcess serve(dir_ + "/serve");
  std::string config = Server(sinks) +
                       "alerts:\n  notify: [ops]\n  recheck_after: 1s\n  group_window: 5s\n"
                       "monitors:\n";
  for (int i = 0; i < 1000; ++i) {
    config += Monitor("m" + std::to_string(i), sinks.HttpUrl("/fail/" + std::to_string(i)));
  }
  serve.WriteConfig(config);
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  // Every monitor's first run falls in its first 10 s; each is confirmed a
  // second later; the messages follow within a group window.
  const auto covered = [&] {
    size_t n = 0;
    for (const auto& m : sinks.Mails()) {
      const std::string s = m.Header("Subject");
      std::smatch match;
      if (std::regex_search(s, match, std::regex("\\] (\\d+) notifications"))) {
        n += std::stoul(match[1]);
      } else if (s.find("DOWN:") != std::string::npos) {
        ++n;
      }
    }
    return n;
  };
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return covered() >= 1000; }, seconds(60)))
      << covered() << " of 1000 in " << sinks.Mails().size() << " messages";
  EXPECT_EQ(covered(), 1000u);
  EXPECT_LE(sinks.Mails().size(), 6u);  // not a storm: a message per window
}

TEST_F(AlertE2eTest, AMonitorFlappingOnEveryCheckIsNotAStorm) {
  NotifySinks sinks(dir_ + "/sinks", {.tls = false});
  ServeProcess serve(dir_ + "/serve");
  serve.WriteConfig(Server(sinks) +
                    "alerts:\n  notify: [ops]\n  failure_threshold: 1\n  success_threshold: 1\n"
                    "  flap_threshold: 2\n  group_window: 0s\nmonitors:\n" +
                    Monitor("flappy", sinks.HttpUrl("/alternate/x")));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  // Down, up, down, ...: every check changes the state.
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return sinks.RequestsTo("/alternate/x").size() >= 7; },
                                   seconds(90)));
  const auto mails = sinks.Mails();
  EXPECT_EQ(WithSubject(mails, "FLAPPING: flappy").size(), 1u);
  // Until it was seen to flap (more than 2 changes): down, recovered, down;
  // then the flapping notice, and nothing for the changes after it.
  EXPECT_EQ(WithSubject(mails, "DOWN: flappy").size(), 2u);
  EXPECT_EQ(WithSubject(mails, "RECOVERED: flappy").size(), 1u);
  EXPECT_EQ(mails.size(), 4u);
}

}  // namespace
}  // namespace tocsin::testing
