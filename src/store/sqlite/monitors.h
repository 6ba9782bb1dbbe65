// The monitors aggregate on SQLite.
#pragma once

#include "store/monitors.h"
#include "store/sqlite/database.h"

namespace tocsin::store::sqlite {

class SqliteMonitors final : public MonitorStore {
 public:
  explicit SqliteMonitors(Database& db) : db_(db) {}
  Result<std::vector<model::MonitorId>> SyncMonitors(
      const std::vector<MonitorRecord>& monitors) override;
  Result<std::vector<MonitorRecord>> ListMonitors() override;

 private:
  Database& db_;
};

}  // namespace tocsin::store::sqlite
