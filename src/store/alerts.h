// The alerts aggregate: incidents, the outbox of notifications and its
// delivery attempts, channels their receivers disabled, and the server's
// secrets (the key that signs acknowledgement links).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/ids.h"
#include "model/incident.h"

namespace tocsin::store {

// One notification to one channel, waiting for delivery or done.
struct OutboxRow {
  enum class State : uint8_t { kPending = 0, kDelivered = 1, kFailed = 2 };
  int64_t id = 0;  // the store's
  std::string dedup_key;
  std::string channel;      // a channel's name; "" for account mail to `recipient`
  std::string recipient;    // account mail: the address it goes to
  int64_t incident_id = 0;  // 0: none
  model::MonitorId monitor = 0;
  model::NoticeEvent event = model::NoticeEvent::kOpened;
  // The notice as JSON (alert/notice_json.h); account mail: {"subject",
  // "text"}.
  std::string payload;
  int64_t created_ms = 0;
  int64_t next_attempt_ms = 0;
  int64_t expires_ms = 0;  // not delivered by then: given up
  int attempts = 0;
  State state = State::kPending;
  int64_t delivered_ms = 0;
  std::string last_error;
};

// What one delivery attempt of one row came to.
struct AttemptResult {
  int64_t outbox_id = 0;
  int64_t at_ms = 0;
  bool ok = false;
  int status = 0;  // HTTP status or SMTP reply code; 0 when none
  std::string error;
  int64_t duration_us = 0;
  // When not ok: the next try, or 0 to give up (expired, or the channel is
  // gone).
  int64_t next_attempt_ms = 0;
};

struct OutboxStats {
  uint64_t pending = 0;
  int64_t oldest_pending_ms = 0;  // created_at of the oldest pending row; 0 when none
  std::vector<std::pair<std::string, uint64_t>> pending_by_channel;
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // One transaction: incidents written whole (by id), outbox rows added (a
  // row whose dedup key is already there is skipped: that notice was made
  // before).
  virtual Status Apply(std::span<const model::Incident> incidents,
                       std::span<const OutboxRow> rows) = 0;

  virtual Result<std::vector<model::Incident>> OpenIncidents() = 0;
  virtual Result<int64_t> MaxIncidentId() = 0;
  virtual Result<std::optional<model::Incident>> GetIncident(int64_t id) = 0;
  // Incidents of a monitor (0: every monitor), newest first.
  virtual Result<std::vector<model::Incident>> ListIncidents(model::MonitorId monitor,
                                                             size_t limit) = 0;
  // Incidents of the monitors of these workspaces, newest first; only
  // those with an id below `before_id` (0: no bound), for paging.
  virtual Result<std::vector<model::Incident>> WorkspaceIncidents(
      const std::vector<model::WorkspaceId>& workspaces, int64_t before_id, size_t limit) = 0;

  // Pending rows due at now_ms, oldest first.
  virtual Result<std::vector<OutboxRow>> DueOutbox(int64_t now_ms, size_t limit) = 0;
  // The earliest next attempt of a pending row; 0 when none.
  virtual Result<int64_t> NextDue() = 0;
  // Moves pending rows' next attempt to `next_attempt_ms`: a row claimed for
  // delivery (so no one takes it twice), or held for a grouped message.
  virtual Status Reschedule(std::span<const int64_t> ids, int64_t next_attempt_ms) = 0;
  // Records attempts: delivered rows, rows to retry, rows given up; one
  // transaction.
  virtual Status RecordAttempts(std::span<const AttemptResult> attempts) = 0;
  virtual Result<std::vector<OutboxRow>> NotificationsOf(int64_t incident_id) = 0;
  // The row of a dedup key (a test notification, followed by its sender).
  virtual Result<std::optional<OutboxRow>> FindNotification(const std::string& dedup_key) = 0;
  virtual Result<OutboxStats> Stats() = 0;

  // A channel its receiver disabled (HTTP 410): remembered with a
  // fingerprint of its settings, so changing them enables it again.
  virtual Status DisableChannel(const std::string& name, const std::string& fingerprint,
                                const std::string& reason, int64_t at_ms) = 0;
  // The fingerprint a channel was disabled with; "" when it is not.
  virtual Result<std::string> DisabledFingerprint(const std::string& name) = 0;

  // A named secret, made (32 random bytes) and kept on first use.
  virtual Result<std::string> Secret(const std::string& name) = 0;
};

}  // namespace tocsin::store
