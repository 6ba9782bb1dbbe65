// The monitors aggregate: which monitors exist, under stable ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/account.h"
#include "model/ids.h"

namespace tocsin::store {

// A monitor as registered in the store. Its id is stable for the life of
// the monitor (the key of its history); config files name monitors, the
// store maps names to ids.
struct MonitorRecord {
  model::MonitorId id = 0;
  model::WorkspaceId workspace = model::kFileWorkspace;
  std::string name;
  uint64_t owner = 0;
  std::string url;
  std::string options_json;  // the check options, by their JSON names (probe/check_options.h)
  Micros interval = 0;
  bool enabled = true;
  // API monitors: what is not a check option (slow_threshold, the alert
  // policy, depends_on), as JSON. "{}" for the file's.
  std::string settings_json = "{}";
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

class MonitorStore {
 public:
  virtual ~MonitorStore() = default;

  // The config file's monitors (workspace 0): registers or updates them by
  // name, returning their ids in order. Monitors absent from `monitors` are
  // left alone.
  virtual Result<std::vector<model::MonitorId>> SyncMonitors(
      const std::vector<MonitorRecord>& monitors) = 0;
  // Every monitor, of every workspace, by id.
  virtual Result<std::vector<MonitorRecord>> ListMonitors() = 0;

  // API monitors. Create and update: kConflict (field "name") when the
  // workspace already has one of that name.
  virtual Result<MonitorRecord> CreateMonitor(MonitorRecord record) = 0;
  virtual Result<std::optional<MonitorRecord>> GetMonitor(model::MonitorId id) = 0;
  virtual Status UpdateMonitor(const MonitorRecord& record) = 0;
  // Removes the monitor and its results, rollups, latest state, incidents
  // and notifications, in one transaction.
  virtual Status DeleteMonitor(model::MonitorId id) = 0;
};

}  // namespace tocsin::store
