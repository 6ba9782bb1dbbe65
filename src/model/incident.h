// Incidents and the notices they cause: what the alert evaluator decides,
// the store keeps, and the notifier delivers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/check_record.h"
#include "model/health.h"
#include "model/ids.h"

namespace tocsin::model {

// A confirmed problem of one monitor. Stored: append only.
enum class IncidentKind : uint8_t { kDown = 0, kDegraded = 1 };
std::string_view IncidentKindName(IncidentKind kind);

struct Incident {
  int64_t id = 0;  // the store's; 0 before it is stored
  MonitorId monitor = 0;
  IncidentKind kind = IncidentKind::kDown;
  int64_t started_ms = 0;    // the first check of the confirming streak
  int64_t confirmed_ms = 0;  // the check that confirmed it: when it opened
  int64_t ended_ms = 0;      // 0 while open
  CheckRecord cause;         // a sample of the failing check (the first of the streak)
  std::vector<CheckRecord> confirmations;  // the checks that confirmed it
  int64_t acked_ms = 0;                    // 0 while unacknowledged
  std::string acked_by;
  bool held = false;       // recorded but not announced (parent down, maintenance, flapping)
  bool announced = false;  // its "opened" notice went out
  int reminders = 0;       // reminders sent so far
  bool escalated = false;
};

// Why a notice goes out. Stored: append only.
enum class NoticeEvent : uint8_t {
  kOpened = 0,
  kReminder = 1,
  kEscalated = 2,
  kResolved = 3,
  kFlapping = 4,
  kSettled = 5,
  kCertWarning = 6,
  kAcknowledged = 7,
  kAccountMail = 8,  // not an alert: mail to a person about their account (confirm, reset, ...)
  kTest = 9,         // "send a test notification": proves a channel reaches its people
};
std::string_view NoticeEventName(NoticeEvent event);

// One notification to make, before it is addressed to channels: everything a
// message says, fixed when the event happens.
struct Notice {
  NoticeEvent event = NoticeEvent::kOpened;
  MonitorId monitor = 0;
  int64_t incident_id = 0;  // 0 for notices without an incident (flapping, settled, certificate)
  IncidentKind kind = IncidentKind::kDown;
  Health health = Health::kUnknown;  // the monitor's health when the notice was made
  int64_t at_ms = 0;                 // when the event happened
  int64_t since_ms = 0;              // when the problem started
  CheckRecord check;                 // the check that decided it (or the cause)
  int sequence = 0;                  // reminders: 1, 2, ...; certificate: days left
  std::string acked_by;
  std::vector<MonitorId> also_affected;  // dependents held because this monitor is down
  std::vector<std::string> channels;     // where it goes
  // Unique per event and channel (with the channel's name appended): lets
  // receivers drop duplicates of an at-least-once delivery.
  std::string DedupKey(std::string_view channel) const;
};

}  // namespace tocsin::model
