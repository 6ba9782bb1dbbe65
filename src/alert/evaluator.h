// The alert evaluator: turns each monitor's stream of check results into a
// health (up, degraded, down), incidents, and the notices they cause.
//
// Pure logic: no threads, no store, no clock of its own (every call says
// what time it is), so each rule is tested by feeding results. The alert
// engine (engine.h) runs it on its own thread and stores what it decides.
//
// The rules, per monitor:
// - A location votes "down" after failure_threshold consecutive failed
//   checks, "up" again after success_threshold good ones. The monitor is
//   down when `quorum` of the locations that reported recently (default: a
//   majority) vote down. A failing check that does not yet confirm asks for
//   an early re-check.
// - Degraded: slower than slow_threshold in failure_threshold consecutive
//   checks, or a certificate expiring within the first warning stage.
// - Each confirmed problem is an incident; its notices go to the policy's
//   channels at the policy's level. An incident is "held" (recorded, not
//   announced) while its monitor is in maintenance, flapping, or its parent
//   (depends_on) is down; it is announced when the hold lifts, if still open.
// - Reminders by time while unacknowledged, escalation once, recovery.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "alert/maintenance.h"
#include "model/alerting.h"
#include "model/check_record.h"
#include "model/health.h"
#include "model/incident.h"

namespace tocsin::alert {

// What the evaluator needs to know of a monitor.
struct MonitorRules {
  model::MonitorId id = 0;
  std::string name;  // for messages
  std::string url;
  Micros interval = 60'000'000;
  Micros slow_threshold = 0;        // 0: off
  model::MonitorId depends_on = 0;  // 0: none
  bool enabled = true;
  model::SharedPolicy policy;
};

// What one call decided: incidents to store (whole, by id) and notices to
// deliver; the caller stores both in one transaction.
struct Effects {
  std::vector<model::Incident> incidents;
  std::vector<model::Notice> notices;
  bool recheck = false;  // run this monitor's check again soon (policy.recheck_after)
  bool empty() const { return incidents.empty() && notices.empty(); }
};

class Evaluator {
 public:
  // Allocates incident ids: unique for the store's life.
  using IdSource = std::function<int64_t()>;
  explicit Evaluator(IdSource next_id);

  // Replaces the rules (start, reload). Monitors no longer present, or now
  // paused, have their open incidents closed without a notice.
  Effects SetRules(std::vector<MonitorRules> rules, int64_t now_ms);
  void SetMaintenance(std::shared_ptr<const MaintenanceSchedule> schedule);

  // Open incidents as stored, so a restart carries on where it stopped.
  void Restore(std::vector<model::Incident> open);

  Effects Observe(const model::CheckRecord& record, int64_t now_ms);

  // Time-driven work: reminders, escalation, holds that lifted, flapping
  // that settled. Call it every second or so.
  Effects Tick(int64_t now_ms);

  // Acknowledges an open incident: its reminders and escalation stop.
  // NotFound if no such open incident; a second acknowledgement changes
  // nothing and says who acknowledged first.
  Result<Effects> Acknowledge(int64_t incident_id, std::string_view by, int64_t now_ms);

  model::Health HealthOf(model::MonitorId id) const;
  size_t open_incidents() const;
  const MonitorRules* RulesOf(model::MonitorId id) const;
  // The open incident with this id; nullptr if none is open.
  const model::Incident* OpenIncident(int64_t incident_id) const;

 private:
  struct LocationState {
    model::LocationId location = 0;
    int fails = 0;
    int oks = 0;
    int slows = 0;
    int fasts = 0;
    int64_t last_ms = 0;
    // Votes: nullopt until decided.
    std::optional<bool> down;
    bool slow = false;
  };
  struct MonitorState {
    model::Health health = model::Health::kUnknown;
    std::vector<LocationState> locations;
    // The open incident, if any. On the heap, and the lists below vectors
    // (not deques, which allocate when made): 100,000 healthy monitors
    // should cost little more than their counters.
    std::unique_ptr<model::Incident> incident;
    std::vector<model::CheckRecord> streak;  // the failing checks of the current streak
    std::vector<int64_t> changes;            // health changes within the flap window
    bool flapping = false;
    int64_t cert_not_after = 0;
    int cert_stage = 0;  // smallest warning stage (days) announced for cert_not_after
    bool cert_degraded = false;
  };

  Effects Decide(const MonitorRules& rules, MonitorState& s, const model::CheckRecord& record,
                 int64_t now_ms);
  void ChangeHealth(const MonitorRules& rules, MonitorState& s, model::Health to,
                    const model::CheckRecord& record, int64_t now_ms, Effects& out);
  void Close(MonitorState& s, const model::CheckRecord* record, int64_t now_ms, bool notify,
             const MonitorRules& rules, Effects& out);
  void CheckCertificate(const MonitorRules& rules, MonitorState& s,
                        const model::CheckRecord& record, int64_t now_ms, Effects& out);
  bool HeldNow(const MonitorRules& rules, const MonitorState& s, int64_t now_ms) const;
  bool LevelAllows(const MonitorRules& rules, model::IncidentKind kind) const;
  model::Notice MakeNotice(model::NoticeEvent event, const MonitorRules& rules,
                           const MonitorState& s, int64_t now_ms) const;
  std::vector<model::MonitorId> HeldDependents(model::MonitorId parent) const;

  IdSource next_id_;
  std::unordered_map<model::MonitorId, MonitorRules> rules_;
  std::unordered_map<model::MonitorId, std::vector<model::MonitorId>> dependents_;
  std::unordered_map<model::MonitorId, MonitorState> states_;
  // Monitors with an open incident or flapping: what Tick() visits.
  std::unordered_set<model::MonitorId> active_;
  std::shared_ptr<const MaintenanceSchedule> maintenance_;
};

}  // namespace tocsin::alert
