// Standard Webhooks signing, shared by the webhook provider and its tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tocsin::notify {

// The HMAC key of a secret: "whsec_<base64>" decoded, else the secret's bytes.
std::optional<std::string> WebhookKey(const std::string& secret);

// "v1,<base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))>".
std::string StandardWebhookSignature(const std::string& key, const std::string& id,
                                     int64_t timestamp, const std::string& body);

}  // namespace tocsin::notify
