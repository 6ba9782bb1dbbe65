// Ids shared by every module: monitors, probe locations, and the handle a
// scheduler gives each run of a check so that its result finds its way back.
#pragma once

#include <cstdint>

namespace tocsin::model {

// A monitor's id is stable for its whole life: it keys its history.
using MonitorId = uint32_t;

// Users and the workspaces monitors belong to (model/account.h).
using UserId = int64_t;
using WorkspaceId = int64_t;
// Workspace 0 holds the monitors of the config file: managed by the file,
// shown to administrators, not editable over the API.
inline constexpr WorkspaceId kFileWorkspace = 0;

// Where a check ran. 0 is the server's own probe; remote agents get their own.
using LocationId = uint16_t;
inline constexpr LocationId kLocalLocation = 0;

// One run of one monitor's check, as handed to a probe engine and echoed back
// with its result. `index` and `generation` belong to the scheduler that
// started the run (a slot in its table and which run of that slot), so it can
// tell a current run from a stale one without ever holding a pointer.
struct JobId {
  MonitorId monitor = 0;
  uint32_t index = 0;
  uint32_t generation = 0;
  bool operator==(const JobId&) const = default;
};

}  // namespace tocsin::model
