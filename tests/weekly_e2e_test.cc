// The weekly summary end to end: a real `tocsin serve` whose clock
// libfaketime sets (the monotonic clock left alone), a user in Berlin who
// wants it on Mondays at 08:00, and a real SMTP server (aiosmtpd). The
// first Monday after Berlin's spring-forward, 08:00 is 06:00 UTC (an
// hour-offset mistake would send at 07:00); the mail arrives once, not
// again after a kill and a restart, and once more the next week.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "core/temp_dir.h"
#include "support/notify_sinks.h"
#include "support/serve_process.h"

namespace tocsin::testing {
namespace {

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

std::vector<ReceivedMail> Summaries(const NotifySinks& sinks) {
  std::vector<ReceivedMail> out;
  for (const auto& m : sinks.Mails()) {
    if (m.Header("Subject").starts_with("Your week on Tocsin")) out.push_back(m);
  }
  return out;
}

class WeeklyE2eTest : public ::testing::Test {
 protected:
  // Starts the server with its wall clock at `utc` ("2026-03-30 05:59:50").
  void StartAt(ServeProcess& serve, const std::string& utc) {
    serve.SetEnv("LD_PRELOAD", kFaketime);
    serve.SetEnv("FAKETIME", "@" + utc);
    serve.SetEnv("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    serve.SetEnv("FAKETIME_DONT_RESET", "1");
    serve.SetEnv("TZ", "UTC");
    // Under AddressSanitizer the preloaded library comes before its
    // runtime, which it refuses unless told that this is intended.
    const char* asan = std::getenv("ASAN_OPTIONS");
    serve.SetEnv("ASAN_OPTIONS", std::string(asan ? asan : "") + (asan && *asan ? ":" : "") +
                                     "verify_asan_link_order=0");
    ASSERT_TRUE(serve.Start(port_)) << serve.Log();
  }

  TempDir tmp_{"tocsin-weekly-e2e"};
  const std::string dir_ = tmp_.path();
  int port_ = FreePort();
};

TEST_F(WeeklyE2eTest, OneSummaryAWeekAcrossTheSpringChangeAndARestart) {
  if (!std::filesystem::exists(kFaketime)) GTEST_SKIP() << "libfaketime is not installed";
  NotifySinks sinks(dir_ + "/sinks", {.http = false, .tls = false});
  const std::string config =
      "server:\n  allow_cidrs: [127.0.0.1/32]\n  smtp: {host: 127.0.0.2, port: " +
      std::to_string(sinks.smtp) + ", tls: none, from: \"Tocsin <summary@tocsin.test>\"}\n";
  {
    ServeProcess serve(dir_ + "/serve");
    serve.WriteConfig(config);
    StartAt(serve, "2026-03-30 05:59:45");
    const std::string token = serve.AdminToken();
    ASSERT_FALSE(token.empty()) << serve.Log();
    const std::vector<std::string> auth = {"Authorization: Bearer " + token,
                                           "Content-Type: application/json"};
    HttpReply profile = HttpCall(serve.address(), "PATCH", "/api/v1/account",
                                 R"({"time_zone":"Europe/Berlin","weekly_summary_day":"monday",)"
                                 R"("weekly_summary_hour":8})",
                                 auth);
    ASSERT_EQ(profile.status, 200) << profile.body;
    HttpReply monitor = HttpCall(
        serve.address(), "POST", "/api/v1/monitors",
        R"({"name":"self","url":"http://)" + serve.address() + R"(/healthz","interval_s":10})",
        auth);
    ASSERT_EQ(monitor.status, 201) << monitor.body;

    // Due at 06:00:00 UTC; the job looks every 20 s.
    ASSERT_TRUE(
        NotifySinks::WaitFor([&] { return !Summaries(sinks).empty(); }, std::chrono::seconds(60)))
        << serve.Log();
    const ReceivedMail mail = Summaries(sinks)[0];
    EXPECT_EQ(mail.rcpt_tos, std::vector<std::string>{ServeProcess::kAdminEmail});
    EXPECT_NE(mail.Part("text/plain").find("every monday at 08:00 (Europe/Berlin)"),
              std::string::npos)
        << mail.Part("text/plain");
    EXPECT_NE(mail.Part("text/plain").find("Mon 23 Mar 2026 to Sun 29 Mar 2026"),
              std::string::npos);
    EXPECT_NE(mail.Header("Date").find("30 Mar 2026 06:00"), std::string::npos)
        << "the server's clock is not the faked one: " << mail.Header("Date");
    EXPECT_EQ(mail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    EXPECT_TRUE(mail.Header("List-Unsubscribe")
                    .starts_with("<http://" + serve.address() + "/unsubscribe/"));
    serve.Signal(SIGKILL);
    serve.Wait();
  }
  {
    // Restarted five minutes later: the week's summary is not sent again.
    ServeProcess serve(dir_ + "/serve");
    StartAt(serve, "2026-03-30 06:05:00");
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(Summaries(sinks).size(), 1u) << serve.Log();
    serve.Signal(SIGTERM);
    serve.Wait();
  }
  {
    // The next Monday, its own.
    ServeProcess serve(dir_ + "/serve");
    StartAt(serve, "2026-04-06 06:00:05");
    EXPECT_TRUE(NotifySinks::WaitFor([&] { return Summaries(sinks).size() == 2; },
                                     std::chrono::seconds(30)))
        << serve.Log();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(Summaries(sinks).size(), 2u);
    serve.Signal(SIGTERM);
    serve.Wait();
  }
}

}  // namespace
}  // namespace tocsin::testing
