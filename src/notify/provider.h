// One interface for every kind of channel (email, webhook, Slack, ...): a
// provider checks a channel's settings when the config is read, and turns a
// composed message into the request that carries it. One folder per kind
// under notify/; the notifier does the sending.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "model/alerting.h"
#include "notify/message.h"

namespace tocsin::notify {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POSTed
};

struct MailRequest {
  std::string from;             // envelope sender, an address
  std::vector<std::string> to;  // envelope recipients
  std::string data;             // the RFC 5322 message, CRLF line ends
};

// std::monostate: this notice means nothing to this kind of channel (a
// pager is not told that flapping settled); the row counts as delivered.
using Request = std::variant<std::monostate, HttpRequest, MailRequest>;

struct BuildContext {
  int64_t now_ms = 0;
  std::string mail_from;  // "Tocsin <tocsin@example.com>"
};

class Provider {
 public:
  virtual ~Provider() = default;
  // Checks the settings this kind uses; the error names the field.
  virtual Status Validate(const model::Channel& channel) const = 0;
  // Whether several notices may share one message. People read chat and
  // mail: a grouped message beats a storm. Machines get one event each.
  virtual bool groups() const { return true; }
  virtual Result<Request> Build(const model::Channel& channel, const Delivery& delivery,
                                const Message& message, const BuildContext& context) const = 0;
};

const Provider& ProviderFor(model::ChannelType type);

// The settings of a channel beside its name, type and `to` (url, secret,
// routing_key, token, chat_id), each set from text: the YAML file and the
// API read channels through this. The error lists the known keys.
Status SetChannelKey(model::Channel& channel, std::string_view key, std::string_view text);
// Those keys, and whether each is a secret (never shown back).
struct ChannelKey {
  std::string_view key;
  std::string model::Channel::*field;
  bool secret;
};
std::span<const ChannelKey> ChannelKeys();

// Validates a channel with its kind's provider.
Status ValidateChannel(const model::Channel& channel);

// A fingerprint of a channel's settings: a channel disabled by its receiver
// (HTTP 410) is enabled again when they change.
std::string ChannelFingerprint(const model::Channel& channel);

// Shared by the providers that take a URL: http or https, parsed by
// net::ParseUrl; the error names `field`.
Status ValidateHttpUrl(const std::string& url, const std::string& field, bool required = true);

}  // namespace tocsin::notify
