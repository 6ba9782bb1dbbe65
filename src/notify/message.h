// What a notification says, composed once from the notices' payloads and
// worded for people: a title, a plain-text body and an HTML body, from
// logic-less templates (Mustache). Every channel kind starts from this;
// machine channels (webhook, PagerDuty) add the raw notice.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tocsin::notify {

// One message's worth of notices for one channel: one notice, or several
// grouped (many monitors of one recipient going down together).
struct Delivery {
  std::string channel;
  std::vector<nlohmann::json> notices;  // outbox payloads (alert/notice_json.h)
  std::vector<std::string> dedup_keys;  // one per notice
  // The message's id: the notice's dedup key, or one made from the keys of a
  // group. Receivers drop repeats by it.
  std::string id;
  int64_t at_ms = 0;
};

// Where a message's links point.
struct Links {
  std::string public_url;  // "http://127.0.0.1:8080", no trailing slash
  // Makes the signed acknowledgement link of an incident; "" for none.
  std::function<std::string(int64_t incident_id)> ack;
};

enum class Severity { kCritical, kWarning, kInfo };

struct Message {
  std::string title;  // one line, for subjects and headings
  std::string text;   // plain text, lines ended by "\n"
  std::string html;   // a complete HTML document, no remote resources
  Severity severity = Severity::kInfo;
  std::string link;      // the monitor's page (one notice) or the server's
  std::string ack_link;  // one notice with an unacknowledged incident; else ""
};

Message Compose(const Delivery& delivery, const Links& links);

// "DOWN", "RECOVERED", ... and the one-line summary of one notice: the
// pieces channels that write their own text (chat, pager) reuse.
std::string NoticeTitle(const nlohmann::json& notice);
std::string NoticeSummary(const nlohmann::json& notice);

}  // namespace tocsin::notify
