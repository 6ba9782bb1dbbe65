// The monitors API: list, create, read, update (pause, resume), delete; a
// monitor's results over a range, page by page, and its summary
// (percentiles from the rollups); its incidents with the notifications sent
// for each.
//
// Who sees what: a monitor belongs to a workspace; its members see it
// (viewers read, editors and owners change). The config file's monitors
// (workspace 0) are shown to administrators and refused to every change:
// the file manages them. A monitor the caller may not see answers 404, the
// same as one that does not exist, so ids cannot be probed.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "api/http.h"
#include "model/check_record.h"
#include "model/monitor.h"
#include "pipeline/latest_states.h"
#include "store/alerts.h"
#include "store/monitors.h"

namespace tocsin::api {

// The monitors running now, as one immutable snapshot.
using MonitorList = std::shared_ptr<const std::vector<model::Monitor>>;

// The monitors as the API changes them. app/ implements it: it validates
// the check options (the probe's table) and schedules what it stores, so
// this module never sees the probe.
class MonitorCatalog {
 public:
  virtual ~MonitorCatalog() = default;
  // Every monitor, of every workspace.
  virtual MonitorList Snapshot() const = 0;
  // Validates, stores and schedules a new monitor; errors name the field.
  // The record's options_json holds the check options as the user gave
  // them, url included.
  virtual Result<store::MonitorRecord> Create(store::MonitorRecord record) = 0;
  // The same for an existing monitor (by record.id), replacing it whole.
  virtual Result<store::MonitorRecord> Update(store::MonitorRecord record) = 0;
  // Stops it and removes it with its history.
  virtual Status Delete(model::MonitorId id) = 0;
  // The check options of a stored monitor for display (secrets redacted).
  virtual nlohmann::json DisplayOptions(const store::MonitorRecord& record) const = 0;
  // Users' alert settings changed in the store (channels, policies,
  // maintenance windows): rebuild what the evaluator and notifier use.
  virtual Status SettingsChanged() = 0;
  // Queues a notification (a channel's test) and wakes the notifier.
  virtual Status Send(store::OutboxRow row) = 0;
  // Runs the record's check once, apart from the schedule and the history
  // ("check now" before saving); validation errors name the field.
  virtual Result<model::CheckRecord> CheckNow(const store::MonitorRecord& record) = 0;
};

// `catalog` and `latest` must outlive the routes, as must the context's.
std::vector<Route> MonitorRoutes(const ApiContext& context, MonitorCatalog& catalog,
                                 const pipeline::LatestStates& latest);

}  // namespace tocsin::api
