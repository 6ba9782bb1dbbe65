#include "model/incident.h"

#include <string>

namespace tocsin::model {

std::string_view IncidentKindName(IncidentKind kind) {
  return kind == IncidentKind::kDegraded ? "degraded" : "down";
}

std::string_view NoticeEventName(NoticeEvent event) {
  switch (event) {
    case NoticeEvent::kOpened:
      return "opened";
    case NoticeEvent::kReminder:
      return "reminder";
    case NoticeEvent::kEscalated:
      return "escalated";
    case NoticeEvent::kResolved:
      return "resolved";
    case NoticeEvent::kFlapping:
      return "flapping";
    case NoticeEvent::kSettled:
      return "settled";
    case NoticeEvent::kCertWarning:
      return "certificate";
    case NoticeEvent::kAcknowledged:
      return "acknowledged";
    case NoticeEvent::kAccountMail:
      return "account";
    case NoticeEvent::kTest:
      return "test";
  }
  return "unknown";
}

std::string Notice::DedupKey(std::string_view channel) const {
  std::string key;
  if (event == NoticeEvent::kCertWarning) {
    // One warning per certificate and stage, whichever check noticed it.
    key = "monitor-" + std::to_string(monitor) + "-cert-" + std::to_string(check.cert_not_after);
  } else if (incident_id != 0) {
    key = "incident-" + std::to_string(incident_id);
  } else {
    key = "monitor-" + std::to_string(monitor) + "-" + std::to_string(at_ms);
  }
  key += ":" + std::string(NoticeEventName(event));
  if (sequence != 0) key += "-" + std::to_string(sequence);
  key += ":" + std::string(channel);
  return key;
}

}  // namespace tocsin::model
