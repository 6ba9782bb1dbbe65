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
#include "app/adhoc_checks.h"
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
          notify::Notifier& notifier, AdhocChecks* adhoc = nullptr);

  // Loads the API's monitors from the store (at start); a stored monitor
  // whose options no longer validate is skipped with a warning, not lost.
  Status LoadStored();
  // Workspaces went from the store with their monitors (an account
  // terminated, a team deleted): reloads the API's monitors and the
  // settings, and applies them, so the removed ones stop.
  Status StoredRemoved();
  // Registers the file's monitors (ids by name) and applies everything.
  Status SetFile(const config::Config& config);

  api::MonitorList Snapshot() const override;
  Result<store::MonitorRecord> Create(store::MonitorRecord record) override;
  Result<store::MonitorRecord> Update(store::MonitorRecord record) override;
  Status Delete(model::MonitorId id) override;
  nlohmann::json DisplayOptions(const store::MonitorRecord& record) const override;
  Status SettingsChanged() override;
  Status Send(store::OutboxRow row) override;
  Result<model::CheckRecord> CheckNow(const store::MonitorRecord& record) override;

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
  // Users' alert settings as the running parts use them.
  struct WorkspaceSettings {
    std::vector<model::Channel> channels;  // named "channel:<id>"
    // workspace -> a channel's name there -> its name to the notifier
    std::map<model::WorkspaceId, std::map<std::string, std::string>> channel_names;
    std::map<model::WorkspaceId, nlohmann::json> policies;
    std::vector<std::pair<model::WorkspaceId, model::MaintenanceWindow>> windows;
  };

  // Hands the whole list to the scheduler, the evaluator and the notifier.
  // Called with mu_ held.
  Status ApplyLocked();
  // Reads the API's monitors, then the settings. Called with mu_ held.
  Status LoadStoredLocked();
  // Reads users' alert settings from the store. Called with mu_ held.
  Status LoadSettingsLocked();
  // An API monitor's policy: the defaults, its workspace's, its own
  // overrides; channels by their notifier names, and its owner's address
  // unless the workspace turned that off.
  model::AlertPolicy PolicyOf(const store::MonitorRecord& record, bool owner_reachable) const;

  store::Store& store_;
  schedule::Scheduler& scheduler_;
  alert::AlertEngine& alerts_;
  notify::Notifier& notifier_;
  AdhocChecks* adhoc_;  // "check now"; null: refused

  mutable std::mutex mu_;  // one change at a time; guards everything below
  std::vector<FileMonitor> file_;
  std::vector<model::Channel> file_channels_;
  std::vector<model::MaintenanceWindow> file_windows_;
  WorkspaceSettings settings_;
  std::map<model::MonitorId, ApiMonitor> api_;

  mutable std::mutex snapshot_mu_;  // readers never wait for a change being applied
  api::MonitorList snapshot_ = std::make_shared<std::vector<model::Monitor>>();
};

}  // namespace tocsin::app
