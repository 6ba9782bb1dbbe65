// What a public status page shows, as data: each chosen monitor's current
// state and 90 days of daily uptime, the incidents the user posts (with
// their updates), the automatic incidents long enough to show, and the
// page's overall state. Nothing else of the workspace: the caller passes
// the page's monitors only, and URLs only when the page shows them.
// Rendering (HTML, SVG) is the api module's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/latest_state.h"
#include "store/monitors.h"
#include "store/status_pages.h"
#include "store/store.h"

namespace tocsin::report {

inline constexpr int kStatusDays = 90;

// A page's settings (the API's JSON, read by the api module).
struct StatusPageSettings {
  std::string title;
  std::string description;
  std::vector<model::MonitorId> monitors;  // in the order shown
  bool show_urls = false;
  int64_t hide_blips_under_s = 0;  // automatic incidents shorter than this are not listed
};

enum class PageHealth { kUp, kDown, kPending, kPaused };

struct PageMonitor {
  model::MonitorId id = 0;
  std::string name;
  std::string url;  // "" unless the page shows URLs
  PageHealth health = PageHealth::kPending;
  // Availability per UTC day, oldest first (kStatusDays of them); nullopt:
  // no check that day.
  std::vector<std::optional<double>> days;
  std::optional<double> uptime;  // over the days
};

struct PageOutage {
  std::string monitor;  // its name on the page
  int64_t started_ms = 0;
  int64_t ended_ms = 0;  // 0 while open
};

struct StatusPageView {
  std::string title;
  std::string description;
  int64_t first_day_ms = 0;  // the start of the first day shown (UTC)
  std::vector<PageMonitor> monitors;
  std::vector<store::StatusPostRecord> posts;  // newest first
  std::vector<PageOutage> outages;             // newest first
  size_t down = 0;                             // monitors down now
};

// `monitors`: the page's (already limited to its workspace, in order);
// `latest`: a monitor's latest result, if any.
using LatestOf = std::function<std::optional<model::LatestState>(model::MonitorId)>;
Result<StatusPageView> BuildStatusPage(store::Store& store, const store::StatusPageRecord& page,
                                       const StatusPageSettings& settings,
                                       const std::vector<store::MonitorRecord>& monitors,
                                       const LatestOf& latest, int64_t now_ms);

// "All systems operational", "Partial outage", "Major outage".
std::string OverallWords(const StatusPageView& view);

}  // namespace tocsin::report
