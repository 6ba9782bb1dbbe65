// The notifier against real receivers: SMTP servers (aiosmtpd: plain,
// STARTTLS with AUTH, implicit TLS) and an HTTP receiver standing in for each
// webhook service, with a real SQLite store holding the outbox. Faults:
// failing, hanging and gone receivers, an SMTP server down then back.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/crypto.h"
#include "core/temp_dir.h"
#include "notify/notifier.h"
#include "notify/provider.h"
#include "store/store.h"
#include "support/notify_sinks.h"
#include "support/serve_process.h"

namespace tocsin::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

int64_t NowMs() {
  return UnixMicros() / 1000;
}

nlohmann::json Payload(int64_t incident, const std::string& name = "homepage",
                       const std::string& event = "opened") {
  return {{"version", 1},
          {"event", event},
          {"monitor", {{"id", incident}, {"name", name}, {"url", "https://example.com/"}}},
          {"health", "down"},
          {"at_ms", NowMs()},
          {"sequence", 0},
          {"check",
           {{"ts_ms", NowMs()},
            {"location", 0},
            {"outcome", "timeout"},
            {"detail", "no answer within 10s"},
            {"ip", "192.0.2.1"},
            {"status", 0},
            {"cert_not_after", 0},
            {"timings_us", {{"dns", 1000}, {"connect", 2000}, {"total", 10'000'000}}}}},
          {"incident",
           {{"id", incident}, {"kind", "down"}, {"since_ms", NowMs() - 5000}, {"acked_by", ""}}},
          {"also_affected", nlohmann::json::array()}};
}

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore({.path = dir_.path() + "/tocsin.db"});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (notifier_) notifier_->Stop();
  }

  notify::NotifierOptions Options() {
    notify::NotifierOptions o;
    o.maildir = dir_.path() + "/mail";
    o.mail_from = "Tocsin <tocsin@tocsin.test>";
    o.public_url = "http://127.0.0.1:8080";
    o.ack_key = "k";
    o.first_retry = 200'000;
    o.max_retry = 2'000'000;
    o.group_window = 0;
    o.address_policy.allow = {*net::Prefix::Parse("127.0.0.2/32")};
    return o;
  }
  void Start(notify::NotifierOptions options, std::vector<model::Channel> channels) {
    auto n = notify::Notifier::Start(store_->alerts(), std::move(options));
    ASSERT_TRUE(n.ok()) << n.error().message;
    notifier_ = std::move(*n);
    notifier_->SetChannels(std::move(channels));
  }
  // Queues a notice for `channel`, as the alert engine does.
  void Queue(const std::string& channel, const nlohmann::json& payload,
             model::NoticeEvent event = model::NoticeEvent::kOpened) {
    store::OutboxRow row;
    const int64_t incident = payload["incident"]["id"].get<int64_t>();
    row.dedup_key = "incident-" + std::to_string(incident) + ":" +
                    payload["event"].get<std::string>() + ":" + channel;
    row.channel = channel;
    row.incident_id = incident;
    row.monitor = static_cast<model::MonitorId>(incident);
    row.event = event;
    row.payload = payload.dump();
    row.created_ms = NowMs();
    row.next_attempt_ms = row.created_ms;
    row.expires_ms = row.created_ms + 3'600'000;
    ASSERT_TRUE(store_->alerts().Apply({}, std::vector{row}).ok());
    if (notifier_) notifier_->Wake();
  }
  std::vector<store::OutboxRow> Rows(int64_t incident) {
    auto rows = store_->alerts().NotificationsOf(incident);
    return rows.ok() ? *rows : std::vector<store::OutboxRow>{};
  }
  bool Delivered(int64_t incident, size_t n = 1) {
    auto rows = Rows(incident);
    return rows.size() >= n && std::all_of(rows.begin(), rows.end(), [](const auto& r) {
             return r.state == store::OutboxRow::State::kDelivered;
           });
  }
  model::Channel Email(const std::string& name = "mail") {
    model::Channel c;
    c.name = name;
    c.type = model::ChannelType::kEmail;
    c.to = {"ops@example.com", "dev@example.com"};
    return c;
  }
  model::Channel Hook(const std::string& name, model::ChannelType type, const std::string& url) {
    model::Channel c;
    c.name = name;
    c.type = type;
    c.url = url;
    return c;
  }
  notify::SmtpSettings Smtp(int port, notify::SmtpSettings::Tls tls) {
    notify::SmtpSettings s;
    s.host = "127.0.0.2";
    s.port = static_cast<uint16_t>(port);
    s.tls = tls;
    return s;
  }

  TempDir dir_{"tocsin-notify-test"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<notify::Notifier> notifier_;
};

TEST_F(NotifyTest, MailOverPlainSmtpArrivesWithTextAndHtml) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.smtp = Smtp(sinks.smtp, notify::SmtpSettings::Tls::kNone);
  Start(o, {Email()});
  Queue("mail", Payload(1));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(1); }));
  const auto mails = sinks.Mails();
  ASSERT_EQ(mails.size(), 1u);
  const ReceivedMail& m = mails[0];
  EXPECT_EQ(m.mail_from, "tocsin@tocsin.test");
  EXPECT_EQ(m.rcpt_tos, (std::vector<std::string>{"ops@example.com", "dev@example.com"}));
  EXPECT_EQ(m.Header("Subject"), "[Tocsin] DOWN: homepage");
  EXPECT_EQ(m.Header("From"), "\"Tocsin\" <tocsin@tocsin.test>");
  EXPECT_TRUE(m.Header("Message-ID").starts_with("<incident-1-")) << m.Header("Message-ID");
  EXPECT_NE(m.Part("text/plain").find("What failed: timeout: no answer within 10s"),
            std::string::npos);
  EXPECT_NE(m.Part("text/html").find("<h2"), std::string::npos);
  EXPECT_NE(m.Part("text/plain").find("Acknowledge: http://127.0.0.1:8080/ack/"),
            std::string::npos);
  EXPECT_EQ(Rows(1)[0].attempts, 1);
}

TEST_F(NotifyTest, MailOverStartTlsWithAuthentication) {
  NotifySinks sinks(dir_.path() + "/sinks");
  auto o = Options();
  o.smtp = Smtp(sinks.smtp_starttls, notify::SmtpSettings::Tls::kStartTls);
  o.smtp->username = sinks.user;
  o.smtp->password = sinks.password;
  o.smtp->ca_file = sinks.ca_file;
  Start(o, {Email()});
  Queue("mail", Payload(2));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(2); })) << Rows(2)[0].last_error;
  ASSERT_EQ(sinks.Mails().size(), 1u);
  EXPECT_EQ(sinks.Mails()[0].port, sinks.smtp_starttls);
}

TEST_F(NotifyTest, MailOverImplicitTls) {
  NotifySinks sinks(dir_.path() + "/sinks");
  auto o = Options();
  o.smtp = Smtp(sinks.smtps, notify::SmtpSettings::Tls::kImplicit);
  o.smtp->ca_file = sinks.ca_file;
  Start(o, {Email()});
  Queue("mail", Payload(3));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(3); })) << Rows(3)[0].last_error;
  EXPECT_EQ(sinks.Mails().at(0).port, sinks.smtps);
}

TEST_F(NotifyTest, AWrongPasswordIsRetriedNotLost) {
  NotifySinks sinks(dir_.path() + "/sinks");
  auto o = Options();
  o.smtp = Smtp(sinks.smtp_starttls, notify::SmtpSettings::Tls::kStartTls);
  o.smtp->username = sinks.user;
  o.smtp->password = "wrong";
  o.smtp->ca_file = sinks.ca_file;
  Start(o, {Email()});
  Queue("mail", Payload(4));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Rows(4)[0].attempts >= 2; }));
  const auto row = Rows(4)[0];
  EXPECT_EQ(row.state, store::OutboxRow::State::kPending);
  EXPECT_FALSE(row.last_error.empty());
  EXPECT_TRUE(sinks.Mails().empty());
}

TEST_F(NotifyTest, LineBreaksInAMonitorNameCannotAddRecipientsOrHeaders) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.smtp = Smtp(sinks.smtp, notify::SmtpSettings::Tls::kNone);
  Start(o, {Email()});
  Queue("mail", Payload(5, "evil\r\nBcc: victim@example.org\r\nX-Injected: yes"));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(5); }));
  const auto m = sinks.Mails().at(0);
  EXPECT_EQ(m.rcpt_tos, (std::vector<std::string>{"ops@example.com", "dev@example.com"}));
  EXPECT_EQ(m.Header("Bcc"), "");
  EXPECT_EQ(m.Header("X-Injected"), "");
  EXPECT_EQ(m.Header("Subject"), "[Tocsin] DOWN: evil  Bcc: victim@example.org  X-Injected: yes");
}

TEST_F(NotifyTest, WithoutSmtpMailGoesToTheMaildir) {
  Start(Options(), {Email()});
  Queue("mail", Payload(6));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(6); }));
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/mail/new")) {
    ++files;
    EXPECT_GT(std::filesystem::file_size(e.path()), 500u);
  }
  EXPECT_EQ(files, 1u);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/mail/tmp"));
}

TEST_F(NotifyTest, WebhookCarriesAStandardWebhooksSignature) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  model::Channel hook = Hook("hook", model::ChannelType::kWebhook, sinks.HttpUrl("/ok/hook"));
  const std::string key = "0123456789abcdef0123456789abcdef";
  hook.secret = "whsec_" + Base64Encode(key);
  Start(Options(), {hook});
  Queue("hook", Payload(7));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(7); }));
  const auto requests = sinks.RequestsTo("/ok/hook");
  ASSERT_EQ(requests.size(), 1u);
  const auto& h = requests[0]["headers"];
  const std::string id = h["webhook-id"];
  const std::string ts = h["webhook-timestamp"];
  const std::string body = requests[0]["body"];
  EXPECT_EQ(id, "incident-7:opened:hook");
  EXPECT_NEAR(std::stoll(ts), NowMs() / 1000, 30);
  EXPECT_EQ(h["webhook-signature"],
            "v1," + Base64Encode(HmacSha256(key, id + "." + ts + "." + body)));
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(body)["data"]["incident"]["id"], 7);
}

TEST_F(NotifyTest, EachServiceReceivesItsDocumentedPayload) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  model::Channel pager = Hook("pager", model::ChannelType::kPagerDuty, sinks.HttpUrl("/ok/pd"));
  pager.routing_key = "R0UT1NG";
  model::Channel ntfy = Hook("ntfy", model::ChannelType::kNtfy, sinks.HttpUrl("/ok/ntfy/alerts"));
  model::Channel telegram = Hook("tg", model::ChannelType::kTelegram, sinks.HttpUrl("/ok/tg"));
  telegram.token = "123:ABC";
  telegram.chat_id = "42";
  Start(Options(), {Hook("slack", model::ChannelType::kSlack, sinks.HttpUrl("/ok/slack")),
                    Hook("discord", model::ChannelType::kDiscord, sinks.HttpUrl("/ok/discord")),
                    Hook("teams", model::ChannelType::kTeams, sinks.HttpUrl("/ok/teams")), pager,
                    ntfy, telegram});
  int64_t id = 10;
  for (const char* c : {"slack", "discord", "teams", "pager", "ntfy", "tg"})
    Queue(c, Payload(id++));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return sinks.Requests().size() == 6; }));
  const auto body = [&](const std::string& path) {
    auto r = sinks.RequestsTo(path);
    return r.empty() ? nlohmann::json() : r[0];
  };
  EXPECT_EQ(nlohmann::json::parse(body("/ok/slack")["body"].get<std::string>())["text"],
            "DOWN: homepage");
  EXPECT_EQ(nlohmann::json::parse(
                body("/ok/discord")["body"].get<std::string>())["allowed_mentions"]["parse"],
            nlohmann::json::array());
  EXPECT_EQ(nlohmann::json::parse(
                body("/ok/teams")["body"].get<std::string>())["attachments"][0]["contentType"],
            "application/vnd.microsoft.card.adaptive");
  const auto pd = nlohmann::json::parse(body("/ok/pd")["body"].get<std::string>());
  EXPECT_EQ(pd["event_action"], "trigger");
  EXPECT_EQ(pd["dedup_key"], "tocsin-incident-13");
  EXPECT_EQ(pd["routing_key"], "R0UT1NG");
  const auto n = body("/ok/ntfy/alerts");
  EXPECT_EQ(n["headers"]["priority"], "5");
  EXPECT_NE(n["body"].get<std::string>().find("DOWN: homepage"), std::string::npos);
  const auto tg = body("/ok/tg/bot123:ABC/sendMessage");
  EXPECT_EQ(nlohmann::json::parse(tg["body"].get<std::string>())["chat_id"], "42");
}

TEST_F(NotifyTest, AFailingReceiverIsRetriedWithBackoffAndOthersAreUnaffected) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  Start(Options(), {Hook("bad", model::ChannelType::kWebhook, sinks.HttpUrl("/fail/bad")),
                    Hook("good", model::ChannelType::kWebhook, sinks.HttpUrl("/ok/good"))});
  Queue("bad", Payload(20));
  Queue("good", Payload(21));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(21); }, seconds(5)));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Rows(20)[0].attempts >= 4; }));
  const auto tries = sinks.RequestsTo("/fail/bad");
  // Each wait at least the one before (200 ms, 400, 800, ...).
  double previous = 0;
  for (size_t i = 1; i < tries.size(); ++i) {
    const double gap = tries[i]["time"].get<double>() - tries[i - 1]["time"].get<double>();
    EXPECT_GE(gap, 0.15);
    EXPECT_GE(gap, previous * 0.9);
    previous = gap;
  }
  const auto row = Rows(20)[0];
  EXPECT_EQ(row.state, store::OutboxRow::State::kPending);
  EXPECT_EQ(row.last_error, "HTTP 500");
  EXPECT_GE(row.attempts, 4);
  // Every request carried the same id: a receiver can drop repeats.
  for (const auto& t : tries) EXPECT_EQ(t["headers"]["webhook-id"], "incident-20:opened:bad");
}

TEST_F(NotifyTest, AHangingReceiverTimesOutWithoutHoldingOthersBack) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.request_timeout = 1'000'000;
  Start(o, {Hook("hang", model::ChannelType::kWebhook, sinks.HttpUrl("/hang/x")),
            Hook("good", model::ChannelType::kWebhook, sinks.HttpUrl("/ok/good"))});
  Queue("hang", Payload(30));
  std::this_thread::sleep_for(milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  Queue("good", Payload(31));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(31); }, seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(900));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Rows(30)[0].attempts >= 1; }, seconds(10)));
  EXPECT_NE(Rows(30)[0].last_error.find("Timeout"), std::string::npos) << Rows(30)[0].last_error;
}

TEST_F(NotifyTest, GoneDisablesTheChannelUntilItsSettingsChange) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  const model::Channel gone = Hook("old", model::ChannelType::kSlack, sinks.HttpUrl("/gone/x"));
  Start(Options(), {gone});
  Queue("old", Payload(40));
  ASSERT_TRUE(
      NotifySinks::WaitFor([&] { return Rows(40)[0].state == store::OutboxRow::State::kFailed; }));
  EXPECT_EQ(*store_->alerts().DisabledFingerprint("old"), notify::ChannelFingerprint(gone));
  Queue("old", Payload(41));
  ASSERT_TRUE(
      NotifySinks::WaitFor([&] { return Rows(41)[0].state == store::OutboxRow::State::kFailed; }));
  EXPECT_NE(Rows(41)[0].last_error.find("410"), std::string::npos);
  EXPECT_EQ(sinks.RequestsTo("/gone/x").size(), 1u);  // the second never went out
  // New settings: the channel works again.
  notifier_->SetChannels({Hook("old", model::ChannelType::kSlack, sinks.HttpUrl("/ok/new"))});
  Queue("old", Payload(42));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(42); }));
}

TEST_F(NotifyTest, RetryAfterIsHonoured) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.first_retry = 50'000;  // shorter than the receiver's Retry-After: 1
  Start(o, {Hook("busy", model::ChannelType::kWebhook, sinks.HttpUrl("/flaky/1/x"))});
  Queue("busy", Payload(50));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(50); }));
  const auto tries = sinks.RequestsTo("/flaky/1/x");
  ASSERT_EQ(tries.size(), 2u);
  EXPECT_GE(tries[1]["time"].get<double>() - tries[0]["time"].get<double>(), 0.95);
}

TEST_F(NotifyTest, MoreNoticesThanDeliveriesInFlightAllGoOutWithoutWaitingForAPoll) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.max_in_flight = 2;
  Start(o, {Hook("hook", model::ChannelType::kWebhook, sinks.HttpUrl("/slowok/50/x"))});
  for (int64_t id = 80; id < 92; ++id) Queue("hook", Payload(id));
  // Six rounds of two at 50 ms each; a round waiting for the 5 s poll would
  // take half a minute.
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] {
        for (int64_t id = 80; id < 92; ++id) {
          if (!Delivered(id)) return false;
        }
        return true;
      },
      seconds(8)));
}

TEST_F(NotifyTest, AWebhookToABlockedAddressIsRefused) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.address_policy = {};  // loopback not allowed: a webhook URL is user input
  Start(o, {Hook("inside", model::ChannelType::kWebhook, sinks.HttpUrl("/ok/inside"))});
  Queue("inside", Payload(60));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Rows(60)[0].attempts >= 1; }));
  EXPECT_NE(Rows(60)[0].last_error.find("refused by the address policy"), std::string::npos)
      << Rows(60)[0].last_error;
  EXPECT_TRUE(sinks.Requests().empty());
}

TEST_F(NotifyTest, SmtpDownThenBackDeliversEveryAlertOnce) {
  const int port = FreePort();
  auto o = Options();
  o.smtp = Smtp(port, notify::SmtpSettings::Tls::kNone);
  o.smtp->host = "127.0.0.2";
  Start(o, {Email()});
  for (int64_t id = 70; id < 73; ++id) Queue("mail", Payload(id));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Rows(70)[0].attempts >= 2; }));
  NotifySinks sinks(dir_.path() + "/sinks", {.smtp_port = port, .http = false, .tls = false});
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return Delivered(70) && Delivered(71) && Delivered(72); },
                                   seconds(30)));
  const auto mails = sinks.Mails();
  ASSERT_EQ(mails.size(), 3u);  // grouping is off here: one each, none twice
  std::set<std::string> ids;
  for (const auto& m : mails) ids.insert(m.Header("Message-ID"));
  EXPECT_EQ(ids.size(), 3u);
}

TEST_F(NotifyTest, NoticesForOneChannelWithinTheWindowShareAMessage) {
  NotifySinks sinks(dir_.path() + "/sinks", {.tls = false});
  auto o = Options();
  o.smtp = Smtp(sinks.smtp, notify::SmtpSettings::Tls::kNone);
  o.group_window = 2'000'000;
  Start(o, {Email()});
  Queue("mail", Payload(100, "first"));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return sinks.Mails().size() == 1; }, seconds(5)));
  // 40 more within the window: held, then one message.
  for (int64_t id = 101; id <= 140; ++id) Queue("mail", Payload(id, "m" + std::to_string(id)));
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return sinks.Mails().size() == 2; }, seconds(10)));
  std::this_thread::sleep_for(milliseconds(500));
  const auto mails = sinks.Mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].Header("Subject"), "[Tocsin] DOWN: first");
  EXPECT_EQ(mails[1].Header("Subject"), "[Tocsin] 40 notifications");
  const std::string text = mails[1].Part("text/plain");
  EXPECT_NE(text.find("DOWN: m101"), std::string::npos);
  EXPECT_NE(text.find("... and 15 more: DOWN: m126"), std::string::npos) << text;
  for (int64_t id = 101; id <= 140; ++id) EXPECT_TRUE(Delivered(id)) << id;
}

}  // namespace
}  // namespace tocsin::testing
