// Generic webhook: the notice as JSON, signed per the Standard Webhooks
// specification (https://www.standardwebhooks.com): headers webhook-id (the
// notice's dedup key: receivers drop repeats by it), webhook-timestamp (Unix
// seconds) and webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", keyed by the secret (a "whsec_" prefix means the rest
// is the base64 key, as the specification writes it).
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "notify/providers.h"
#include "notify/webhook/signature.h"

namespace tocsin::notify {

std::optional<std::string> WebhookKey(const std::string& secret) {
  if (secret.starts_with("whsec_")) return Base64Decode(secret.substr(6));
  return secret;
}

std::string StandardWebhookSignature(const std::string& key, const std::string& id,
                                     int64_t timestamp, const std::string& body) {
  return "v1," + Base64Encode(HmacSha256(key, id + "." + std::to_string(timestamp) + "." + body));
}

namespace {

class WebhookProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override {
    if (Status s = ValidateHttpUrl(c.url, "url"); !s.ok()) return s;
    if (!c.secret.empty()) {
      auto key = WebhookKey(c.secret);
      if (!key || key->empty()) {
        return InvalidField("secret", "'secret' after whsec_ must be base64");
      }
    }
    return {};
  }

  bool groups() const override { return false; }

  Result<Request> Build(const model::Channel& c, const Delivery& d, const Message& m,
                        const BuildContext& ctx) const override {
    const nlohmann::json& notice = d.notices.front();
    nlohmann::json payload = {{"type", "tocsin.notice." + notice.value("event", std::string())},
                              {"timestamp", ctx.now_ms},
                              {"title", m.title},
                              {"text", m.text},
                              {"link", m.link},
                              {"data", notice}};
    if (!m.ack_link.empty()) payload["ack_link"] = m.ack_link;
    HttpRequest r;
    r.url = c.url;
    r.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const int64_t timestamp = ctx.now_ms / 1000;
    r.headers = {"Content-Type: application/json", "webhook-id: " + d.id,
                 "webhook-timestamp: " + std::to_string(timestamp)};
    if (!c.secret.empty()) {
      r.headers.push_back("webhook-signature: " +
                          StandardWebhookSignature(*WebhookKey(c.secret), d.id, timestamp, r.body));
    }
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& WebhookProviderInstance() {
  static const WebhookProvider provider;
  return provider;
}

}  // namespace tocsin::notify
