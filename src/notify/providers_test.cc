// What each channel kind sends, checked against the payload each service
// documents (the integration tests send them to real receivers).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "notify/provider.h"
#include "notify/webhook/signature.h"

namespace tocsin::notify {
namespace {

nlohmann::json Notice(const std::string& event, const std::string& name = "homepage") {
  return {{"version", 1},
          {"event", event},
          {"monitor", {{"id", 7}, {"name", name}, {"url", "https://example.com/"}}},
          {"health", event == "resolved" ? "up" : "down"},
          {"at_ms", 1'795'000'060'000},
          {"sequence", 0},
          {"check",
           {{"ts_ms", 1'795'000'060'000},
            {"location", 0},
            {"outcome", event == "resolved" ? "ok" : "connect_refused"},
            {"detail", "connection refused"},
            {"ip", "192.0.2.7"},
            {"status", 0},
            {"cert_not_after", 0},
            {"timings_us", {{"dns", 1000}, {"connect", 2000}, {"total", 3000}}}}},
          {"incident",
           {{"id", 42}, {"kind", "down"}, {"since_ms", 1'795'000'000'000}, {"acked_by", ""}}},
          {"also_affected", nlohmann::json::array()}};
}

struct Built {
  HttpRequest http;
  std::string header(const std::string& name) const {
    for (const auto& h : http.headers) {
      if (h.starts_with(name + ": ")) return h.substr(name.size() + 2);
    }
    return "";
  }
  nlohmann::json json() const { return nlohmann::json::parse(http.body); }
};

Built Build(const model::Channel& c, const nlohmann::json& notice) {
  Delivery d;
  d.channel = c.name;
  d.notices = {notice};
  d.dedup_keys = {"incident-42:" + notice["event"].get<std::string>() + ":" + c.name};
  d.id = d.dedup_keys[0];
  d.at_ms = 1'795'000'061'000;
  Links links{"https://tocsin.example.com", [](int64_t id) {
                return "https://tocsin.example.com/ack/token-" + std::to_string(id);
              }};
  auto r = ProviderFor(c.type).Build(c, d, Compose(d, links), {d.at_ms, "Tocsin <t@example.com>"});
  EXPECT_TRUE(r.ok());
  Built b;
  if (r.ok() && std::holds_alternative<HttpRequest>(*r)) b.http = std::get<HttpRequest>(*r);
  return b;
}

model::Channel Channel(model::ChannelType type) {
  model::Channel c;
  c.name = "chan";
  c.type = type;
  c.url = "https://hooks.example.com/x";
  return c;
}

TEST(ProvidersTest, WebhookIsSignedPerStandardWebhooks) {
  model::Channel c = Channel(model::ChannelType::kWebhook);
  const std::string key = "a secret key of sixteen+ bytes";
  c.secret = "whsec_" + Base64Encode(key);
  const Built b = Build(c, Notice("opened"));
  EXPECT_EQ(b.header("webhook-id"), "incident-42:opened:chan");
  const std::string ts = b.header("webhook-timestamp");
  EXPECT_EQ(ts, "1795000061");
  // Verified as a receiver would: HMAC-SHA256 over "id.timestamp.body".
  const std::string expected =
      "v1," + Base64Encode(HmacSha256(key, "incident-42:opened:chan." + ts + "." + b.http.body));
  EXPECT_EQ(b.header("webhook-signature"), expected);
  const auto j = b.json();
  EXPECT_EQ(j["type"], "tocsin.notice.opened");
  EXPECT_EQ(j["data"]["incident"]["id"], 42);
  EXPECT_EQ(j["ack_link"], "https://tocsin.example.com/ack/token-42");
  EXPECT_FALSE(ProviderFor(c.type).groups());
}

TEST(ProvidersTest, UnsignedWebhookHasNoSignatureHeader) {
  const Built b = Build(Channel(model::ChannelType::kWebhook), Notice("opened"));
  EXPECT_EQ(b.header("webhook-signature"), "");
  EXPECT_EQ(b.header("webhook-id"), "incident-42:opened:chan");
}

TEST(ProvidersTest, SlackEscapesWhatUsersWrote) {
  const Built b = Build(Channel(model::ChannelType::kSlack), Notice("opened", "<!channel> site"));
  const auto j = b.json();
  EXPECT_EQ(j["text"], "DOWN: &lt;!channel&gt; site");
  EXPECT_EQ(b.http.body.find("<!channel>"), std::string::npos);
  EXPECT_EQ(j["blocks"][1]["elements"][0]["url"], "https://tocsin.example.com/ack/token-42");
}

TEST(ProvidersTest, DiscordNeverMentionsAnyone) {
  const Built b = Build(Channel(model::ChannelType::kDiscord), Notice("opened", "@everyone"));
  const auto j = b.json();
  EXPECT_EQ(j["allowed_mentions"]["parse"], nlohmann::json::array());
  EXPECT_EQ(j["embeds"][0]["title"], "DOWN: @everyone");
  EXPECT_EQ(j["embeds"][0]["color"], 0xC62828);
}

TEST(ProvidersTest, TeamsSendsAnAdaptiveCard) {
  const auto j = Build(Channel(model::ChannelType::kTeams), Notice("opened")).json();
  EXPECT_EQ(j["type"], "message");
  const auto& card = j["attachments"][0];
  EXPECT_EQ(card["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(card["content"]["type"], "AdaptiveCard");
  EXPECT_EQ(card["content"]["body"][0]["text"], "DOWN: homepage");
  EXPECT_EQ(card["content"]["actions"][1]["url"], "https://tocsin.example.com/ack/token-42");
}

TEST(ProvidersTest, PagerDutyFollowsTheIncidentWithOneDedupKey) {
  model::Channel c = Channel(model::ChannelType::kPagerDuty);
  c.url = "";
  c.routing_key = "R0UT1NGKEY";
  const Built trigger = Build(c, Notice("opened"));
  EXPECT_EQ(trigger.http.url, "https://events.pagerduty.com/v2/enqueue");
  const auto t = trigger.json();
  EXPECT_EQ(t["routing_key"], "R0UT1NGKEY");
  EXPECT_EQ(t["event_action"], "trigger");
  EXPECT_EQ(t["dedup_key"], "tocsin-incident-42");
  EXPECT_EQ(t["payload"]["severity"], "critical");
  EXPECT_EQ(t["payload"]["source"], "https://example.com/");
  EXPECT_EQ(t["payload"]["component"], "homepage");
  EXPECT_EQ(t["payload"]["timestamp"], "2026-11-18T11:07:40Z");
  const auto ack = Build(c, Notice("acknowledged")).json();
  EXPECT_EQ(ack["event_action"], "acknowledge");
  EXPECT_EQ(ack["dedup_key"], "tocsin-incident-42");
  EXPECT_FALSE(ack.contains("payload"));
  const auto resolve = Build(c, Notice("resolved")).json();
  EXPECT_EQ(resolve["event_action"], "resolve");
  EXPECT_EQ(resolve["dedup_key"], "tocsin-incident-42");
  EXPECT_TRUE(Build(c, Notice("settled")).http.url.empty());  // nothing to say
}

TEST(ProvidersTest, NtfyPostsTextWithPriorityAndClick) {
  model::Channel c = Channel(model::ChannelType::kNtfy);
  c.url = "https://ntfy.example.com/alerts";
  c.token = "tk_secret";
  const Built b = Build(c, Notice("opened", "caf\xc3\xa9"));
  EXPECT_EQ(b.http.url, "https://ntfy.example.com/alerts");
  EXPECT_EQ(b.header("Priority"), "5");
  EXPECT_EQ(b.header("Tags"), "rotating_light");
  EXPECT_EQ(b.header("Click"), "https://tocsin.example.com/monitors/7");
  EXPECT_EQ(b.header("Authorization"), "Bearer tk_secret");
  EXPECT_TRUE(b.header("Title").starts_with("=?UTF-8?B?"));
  EXPECT_EQ(b.header("Title").find('\n'), std::string::npos);
  EXPECT_NE(b.http.body.find("DOWN: caf\xc3\xa9"), std::string::npos);
}

TEST(ProvidersTest, TelegramSendsPlainTextToTheBotApi) {
  model::Channel c = Channel(model::ChannelType::kTelegram);
  c.url = "";
  c.token = "123:ABC";
  c.chat_id = "-1001";
  const Built b = Build(c, Notice("opened"));
  EXPECT_EQ(b.http.url, "https://api.telegram.org/bot123:ABC/sendMessage");
  const auto j = b.json();
  EXPECT_EQ(j["chat_id"], "-1001");
  EXPECT_FALSE(j.contains("parse_mode"));
  EXPECT_NE(j["text"].get<std::string>().find("https://tocsin.example.com/ack/token-42"),
            std::string::npos);
}

TEST(ProvidersTest, ValidationNamesTheMissingField) {
  model::Channel c;
  c.name = "x";
  c.type = model::ChannelType::kEmail;
  EXPECT_EQ(ValidateChannel(c).error().field, "to");
  c.to = {"not an address"};
  EXPECT_EQ(ValidateChannel(c).error().field, "to");
  c.to = {"ops@example.com"};
  EXPECT_TRUE(ValidateChannel(c).ok());
  c.type = model::ChannelType::kWebhook;
  EXPECT_EQ(ValidateChannel(c).error().field, "url");
  c.url = "ftp://example.com/";
  EXPECT_EQ(ValidateChannel(c).error().field, "url");
  c.url = "https://example.com/hook";
  c.secret = "whsec_!!!";
  EXPECT_EQ(ValidateChannel(c).error().field, "secret");
  c.type = model::ChannelType::kPagerDuty;
  EXPECT_EQ(ValidateChannel(c).error().field, "routing_key");
  c.type = model::ChannelType::kTelegram;
  EXPECT_EQ(ValidateChannel(c).error().field, "token");
  c.token = "1:a";
  EXPECT_EQ(ValidateChannel(c).error().field, "chat_id");
}

}  // namespace
}  // namespace tocsin::notify
