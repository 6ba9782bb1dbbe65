#include "notify/provider.h"

#include "core/crypto.h"
#include "net/url.h"
#include "notify/providers.h"

namespace tocsin::notify {

const Provider& ProviderFor(model::ChannelType type) {
  switch (type) {
    case model::ChannelType::kEmail:
      return EmailProviderInstance();
    case model::ChannelType::kWebhook:
      return WebhookProviderInstance();
    case model::ChannelType::kSlack:
      return SlackProviderInstance();
    case model::ChannelType::kDiscord:
      return DiscordProviderInstance();
    case model::ChannelType::kTeams:
      return TeamsProviderInstance();
    case model::ChannelType::kPagerDuty:
      return PagerDutyProviderInstance();
    case model::ChannelType::kNtfy:
      return NtfyProviderInstance();
    case model::ChannelType::kTelegram:
      return TelegramProviderInstance();
  }
  return WebhookProviderInstance();
}

namespace {

constexpr ChannelKey kChannelKeys[] = {
    {"url", &model::Channel::url, false},
    {"secret", &model::Channel::secret, true},
    {"routing_key", &model::Channel::routing_key, true},
    {"token", &model::Channel::token, true},
    {"chat_id", &model::Channel::chat_id, false},
};

}  // namespace

std::span<const ChannelKey> ChannelKeys() {
  return kChannelKeys;
}

Status SetChannelKey(model::Channel& channel, std::string_view key, std::string_view text) {
  for (const ChannelKey& k : kChannelKeys) {
    if (k.key == key) {
      channel.*k.field = std::string(text);
      return {};
    }
  }
  return InvalidField(std::string(key),
                      "unknown channel setting '" + std::string(key) +
                          "' (known: name, type, to, url, secret, routing_key, token, chat_id)");
}

Status ValidateChannel(const model::Channel& channel) {
  return ProviderFor(channel.type).Validate(channel);
}

std::string ChannelFingerprint(const model::Channel& c) {
  std::string text = std::string(model::ChannelTypeName(c.type)) + "\n" + c.url + "\n" + c.secret +
                     "\n" + c.routing_key + "\n" + c.token + "\n" + c.chat_id;
  for (const auto& to : c.to) text += "\n" + to;
  return Hex(Sha256(text)).substr(0, 16);
}

Status ValidateHttpUrl(const std::string& url, const std::string& field, bool required) {
  if (url.empty()) {
    if (!required) return {};
    return InvalidField(field, "'" + field + "' is required");
  }
  auto parsed = net::ParseUrl(url);
  if (!parsed.ok()) return InvalidField(field, field + ": " + parsed.error().message);
  return {};
}

}  // namespace tocsin::notify
