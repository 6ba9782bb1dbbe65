// The monitors aggregate on SQLite.
#pragma once

#include <string>

#include "store/monitors.h"
#include "store/sqlite/database.h"

namespace tocsin::store::sqlite {

class SqliteMonitors final : public MonitorStore {
 public:
  explicit SqliteMonitors(Database& db) : db_(db) {}
  Result<std::vector<model::MonitorId>> SyncMonitors(
      const std::vector<MonitorRecord>& monitors) override;
  Result<std::vector<MonitorRecord>> ListMonitors() override;
  Result<MonitorRecord> CreateMonitor(MonitorRecord record) override;
  Result<std::optional<MonitorRecord>> GetMonitor(model::MonitorId id) override;
  Status UpdateMonitor(const MonitorRecord& record) override;
  Status DeleteMonitor(model::MonitorId id) override;

 private:
  Database& db_;
};

// Deletes monitors and everything of theirs, inside the caller's
// transaction: `where_monitor_id` selects rows of the other tables by
// monitor_id ("monitor_id = 5", "monitor_id IN (...)"), `where_id` the
// monitors themselves. REQUIRES: the writer lock held, a transaction open.
Status PurgeMonitors(sqlite3* db, const std::string& where_monitor_id, const std::string& where_id);

}  // namespace tocsin::store::sqlite
