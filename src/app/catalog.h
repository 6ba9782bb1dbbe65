// Every monitor the server runs, from both sources: the config file's
// (replaced whole on each reload) and the API's (kept in the store, changed
// one at a time). Each change rebuilds what the running parts consume, all
// from the one list: the scheduler's plans, the alert evaluator's rules and
// the notifier's channels (a user's API monitors alert to the user's own
// address), and the snapshot the API lists.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "alert/engine.h"
#include "api/monitors.h"
#include "config/config.h"
#include "notify/notifier.h"
#include "probe/check_spec.h"
#include "schedule/scheduler.h"
#include "store/store.h"

namespace tocsin::app {

class Catalog final : public api::MonitorCatalog {
 public:
  // Everything given must outlive the catalog.
  Catalog(store::Store& store, schedule::Scheduler& scheduler, alert::AlertEngine& alerts,
          notify::Notifier& notifier);

  // Loads the API's monitors from the store (at start); a stored monitor
  // whose options no longer validate is skipped with a warning, not lost.
  Status LoadStored();
  // Registers the file's monitors (ids by name) and applies everything.
  Status SetFile(const config::Config& config);

  api::MonitorList Snapshot() const override;
  Result<store::MonitorRecord> Create(store::MonitorRecord record) override;
  Result<store::MonitorRecord> Update(store::MonitorRecord record) override;
  Status Delete(model::MonitorId id) override;
  nlohmann::json DisplayOptions(const store::MonitorRecord& record) const override;

 private:
  struct FileMonitor {
    model::Monitor monitor;
    std::shared_ptr<const probe::PreparedCheck> check;
    alert::MonitorRules rules;
  };
  struct ApiMonitor {
    store::MonitorRecord record;
    std::shared_ptr<const probe::PreparedCheck> check;
  };

  // Validates a record's options and interval into a runnable check.
  static Result<std::shared_ptr<const probe::PreparedCheck>> Prepare(
      const store::MonitorRecord& record);
  // Hands the whole list to the scheduler, the evaluator and the notifier.
  // Called with mu_ held.
  Status ApplyLocked();

  store::Store& store_;
  schedule::Scheduler& scheduler_;
  alert::AlertEngine& alerts_;
  notify::Notifier& notifier_;

  mutable std::mutex mu_;  // one change at a time; guards everything below
  std::vector<FileMonitor> file_;
  std::vector<model::Channel> file_channels_;
  std::shared_ptr<const alert::MaintenanceSchedule> maintenance_;
  std::map<model::MonitorId, ApiMonitor> api_;

  mutable std::mutex snapshot_mu_;  // readers never wait for a change being applied
  api::MonitorList snapshot_ = std::make_shared<std::vector<model::Monitor>>();
};

}  // namespace tocsin::app
