// Maintenance windows, compiled for fast lookups: is this monitor in a
// maintenance window at this instant? One-off windows and weekly or monthly
// ones, each in a named time zone, so "02:00 every Monday in Europe/Paris"
// stays 02:00 local across daylight-saving changes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/alerting.h"
#include "model/ids.h"

namespace date {
class time_zone;
}

namespace tocsin::alert {

// Immutable once built; shared by the pipeline (to mark results) and the
// evaluator (to hold alerts), swapped whole on a reload.
class MaintenanceSchedule {
 public:
  // Validates each window (a known time zone, a positive duration, days
  // chosen for a repeating window); an error names the window.
  static Result<std::shared_ptr<const MaintenanceSchedule>> Build(
      std::vector<model::MaintenanceWindow> windows);

  bool Covers(model::MonitorId monitor, int64_t unix_ms) const;
  bool empty() const { return windows_.empty(); }

  // The occurrences overlapping [from_ms, to_ms) of windows that cover any
  // of `monitors`, by start: what a status page lists as scheduled.
  struct Occurrence {
    std::string name;
    int64_t start_ms = 0;
    int64_t end_ms = 0;
  };
  std::vector<Occurrence> Occurrences(const std::vector<model::MonitorId>& monitors,
                                      int64_t from_ms, int64_t to_ms) const;

 private:
  struct Compiled {
    model::MaintenanceWindow window;
    const date::time_zone* zone;
  };
  bool WindowCovers(const Compiled& c, int64_t unix_ms) const;
  std::vector<Compiled> windows_;
};

// Parses "YYYY-MM-DD HH:MM" (local, seconds since the local epoch) and
// "HH:MM" (seconds of the day), as the config writes them.
Result<int64_t> ParseLocalDateTime(std::string_view text);
Result<int64_t> ParseTimeOfDay(std::string_view text);

// Whether `name` is a time zone of the IANA database ("Europe/Paris",
// "UTC"), as users' settings name them.
bool IsTimeZone(const std::string& name);

}  // namespace tocsin::alert
