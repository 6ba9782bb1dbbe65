// The alerts aggregate on SQLite.
#pragma once

#include "store/alerts.h"
#include "store/sqlite/database.h"

namespace tocsin::store::sqlite {

class SqliteAlerts final : public AlertStore {
 public:
  explicit SqliteAlerts(Database& db) : db_(db) {}

  Status Apply(std::span<const model::Incident> incidents,
               std::span<const OutboxRow> rows) override;
  Result<std::vector<model::Incident>> OpenIncidents() override;
  Result<int64_t> MaxIncidentId() override;
  Result<std::optional<model::Incident>> GetIncident(int64_t id) override;
  Result<std::vector<model::Incident>> WorkspaceIncidents(
      const std::vector<model::WorkspaceId>& workspaces, int64_t before_id, size_t limit) override;
  Result<std::vector<model::Incident>> ListIncidents(model::MonitorId monitor,
                                                     size_t limit) override;
  Result<std::vector<OutboxRow>> DueOutbox(int64_t now_ms, size_t limit) override;
  Result<int64_t> NextDue() override;
  Status Reschedule(std::span<const int64_t> ids, int64_t next_attempt_ms) override;
  Status RecordAttempts(std::span<const AttemptResult> attempts) override;
  Result<std::vector<OutboxRow>> NotificationsOf(int64_t incident_id) override;
  Result<std::optional<OutboxRow>> FindNotification(const std::string& dedup_key) override;
  Result<OutboxStats> Stats() override;
  Status DisableChannel(const std::string& name, const std::string& fingerprint,
                        const std::string& reason, int64_t at_ms) override;
  Result<std::string> DisabledFingerprint(const std::string& name) override;
  Result<std::string> Secret(const std::string& name) override;

 private:
  Result<std::vector<model::Incident>> QueryIncidents(const std::string& where, int64_t arg,
                                                      size_t limit);
  Result<std::vector<OutboxRow>> QueryOutbox(const char* where, int64_t arg, size_t limit);
  Database& db_;
};

}  // namespace tocsin::store::sqlite
