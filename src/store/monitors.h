// The monitors aggregate: which monitors exist, under stable ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/ids.h"

namespace tocsin::store {

// A monitor as registered in the store. Its id is stable for the life of
// the monitor (the key of its history); config files name monitors, the
// store maps names to ids.
struct MonitorRecord {
  model::MonitorId id = 0;
  std::string name;
  uint64_t owner = 0;
  std::string url;
  std::string options_json;  // the check options, by their JSON names (probe/check_options.h)
  Micros interval = 0;
  bool enabled = true;
};

class MonitorStore {
 public:
  virtual ~MonitorStore() = default;

  // Registers or updates monitors by name, returning their ids in order.
  // Monitors absent from `monitors` are left alone.
  virtual Result<std::vector<model::MonitorId>> SyncMonitors(
      const std::vector<MonitorRecord>& monitors) = 0;
  virtual Result<std::vector<MonitorRecord>> ListMonitors() = 0;
};

}  // namespace tocsin::store
