#include "report/status_page.h"

#include <algorithm>
#include <map>

namespace tocsin::report {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr size_t kPostsShown = 50;
constexpr size_t kIncidentsRead = 200;

}  // namespace

Result<StatusPageView> BuildStatusPage(store::Store& store, const store::StatusPageRecord& page,
                                       const StatusPageSettings& settings,
                                       const std::vector<store::MonitorRecord>& monitors,
                                       const LatestOf& latest, int64_t now_ms) {
  StatusPageView view;
  view.title = settings.title.empty() ? page.slug : settings.title;
  view.description = settings.description;
  const int64_t today_ms = now_ms - now_ms % kDayMs;
  view.first_day_ms = today_ms - (kStatusDays - 1) * kDayMs;
  for (const store::MonitorRecord& m : monitors) {
    PageMonitor pm;
    pm.id = m.id;
    pm.name = m.name;
    if (settings.show_urls) pm.url = m.url;
    if (!m.enabled) {
      pm.health = PageHealth::kPaused;
    } else if (auto state = latest(m.id)) {
      pm.health = state->outcome == model::Outcome::kOk ? PageHealth::kUp : PageHealth::kDown;
    }
    if (pm.health == PageHealth::kDown) ++view.down;

    auto days = store.results().Series(m.id, store::RollupLevel::kDay, view.first_day_ms / 1000,
                                       (today_ms + kDayMs) / 1000);
    if (!days.ok()) return days.error();
    std::map<int64_t, const store::RangeSummary*> by_day;
    uint64_t count = 0;
    uint64_t failures = 0;
    for (const store::BucketSummary& b : *days) {
      by_day[b.bucket_s * 1000] = &b.summary;
      count += b.summary.count;
      failures += b.summary.failures;
    }
    for (int64_t d = view.first_day_ms; d <= today_ms; d += kDayMs) {
      const auto it = by_day.find(d);
      if (it == by_day.end() || it->second->count == 0) {
        pm.days.emplace_back();
      } else {
        const store::RangeSummary& s = *it->second;
        pm.days.emplace_back(100.0 * static_cast<double>(s.count - s.failures) / s.count);
      }
    }
    if (count > 0) pm.uptime = 100.0 * static_cast<double>(count - failures) / count;

    auto incidents = store.alerts().ListIncidents(m.id, kIncidentsRead);
    if (!incidents.ok()) return incidents.error();
    for (const model::Incident& inc : *incidents) {
      if (inc.kind != model::IncidentKind::kDown) continue;
      const int64_t end = inc.ended_ms == 0 ? now_ms : inc.ended_ms;
      if (end < view.first_day_ms) continue;
      if (inc.ended_ms != 0 && end - inc.started_ms < settings.hide_blips_under_s * 1000) continue;
      view.outages.push_back({m.name, inc.started_ms, inc.ended_ms});
    }
    view.monitors.push_back(std::move(pm));
  }
  std::sort(view.outages.begin(), view.outages.end(),
            [](const PageOutage& a, const PageOutage& b) { return a.started_ms > b.started_ms; });
  auto posts = store.status_pages().Posts(page.id, view.first_day_ms, kPostsShown);
  if (!posts.ok()) return posts.error();
  view.posts = std::move(*posts);
  return view;
}

std::string OverallWords(const StatusPageView& view) {
  if (view.down == 0) return "All systems operational";
  if (view.down == view.monitors.size()) return "Major outage";
  return "Partial outage";
}

}  // namespace tocsin::report
