#include "report/weekly_summary.h"

#include <algorithm>

namespace tocsin::report {
namespace {

constexpr int64_t kWeekMs = 7 * 86'400'000LL;
// Enough for any week's incidents of one URL (flapping is one incident).
constexpr size_t kIncidentsRead = 1'000;

Result<store::RangeSummary> Summary(store::ResultStore& results, model::MonitorId monitor,
                                    int64_t from_ms, int64_t to_ms) {
  return results.Summarize(monitor, from_ms / 1000, to_ms / 1000);
}

// Percent of `sorted` (which holds the value itself) strictly beyond it on
// the worse side, among the others.
template <typename T, typename Worse>
std::optional<double> RankOf(const std::vector<T>& sorted, T value, Worse worse) {
  if (sorted.size() < kMinUrlsToRank) return std::nullopt;
  const size_t count = worse(sorted, value);
  return 100.0 * static_cast<double>(count) / static_cast<double>(sorted.size() - 1);
}

}  // namespace

double Availability(const store::RangeSummary& s) {
  return s.count == 0 ? 0.0 : 100.0 * static_cast<double>(s.count - s.failures) / s.count;
}

Result<ServerRanks> ServerRanks::Build(store::ResultStore& results,
                                       const std::vector<store::MonitorRecord>& monitors,
                                       int64_t from_ms, int64_t to_ms) {
  ServerRanks ranks;
  for (const store::MonitorRecord& m : monitors) {
    auto s = Summary(results, m.id, from_ms, to_ms);
    if (!s.ok()) return s.error();
    if (s->count == 0) continue;
    ranks.availabilities_.push_back(Availability(*s));
    // A URL that never answered has no median; it ranks by uptime only.
    if (s->response_checks > 0) ranks.p50s_.push_back(s->response_p50_us);
  }
  std::sort(ranks.p50s_.begin(), ranks.p50s_.end());
  std::sort(ranks.availabilities_.begin(), ranks.availabilities_.end());
  return ranks;
}

std::optional<double> ServerRanks::FasterThan(uint32_t p50_us) const {
  return RankOf(p50s_, p50_us, [](const std::vector<uint32_t>& v, uint32_t x) {
    return static_cast<size_t>(v.end() - std::upper_bound(v.begin(), v.end(), x));
  });
}

std::optional<double> ServerRanks::MoreAvailableThan(double availability) const {
  return RankOf(availabilities_, availability, [](const std::vector<double>& v, double x) {
    return static_cast<size_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
  });
}

Result<const ServerRanks*> RankCache::For(int64_t from_ms, int64_t to_ms) {
  const auto key = std::make_pair(from_ms, to_ms);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    auto built = ServerRanks::Build(results_, monitors_, from_ms, to_ms);
    if (!built.ok()) return built.error();
    it = cache_.emplace(key, std::move(*built)).first;
  }
  return &it->second;
}

std::optional<double> UrlWeek::MeanResponseUs(const store::RangeSummary& s) const {
  if (s.phased == 0) return std::nullopt;
  using store::Phase;
  const auto mean = [&](Phase p) { return s.phase_mean_us[static_cast<size_t>(p)]; };
  return mean(Phase::kDns) + mean(Phase::kConnect) + mean(Phase::kTls) + mean(Phase::kFirstByte);
}

std::optional<std::pair<store::Phase, double>> UrlWeek::SlowestPhase() const {
  if (week.phased == 0) return std::nullopt;
  const auto it = std::max_element(week.phase_mean_us.begin(), week.phase_mean_us.end());
  return std::make_pair(static_cast<store::Phase>(it - week.phase_mean_us.begin()), *it);
}

Result<WeeklySummary> BuildWeeklySummary(store::Store& store, const model::User& user,
                                         const std::vector<store::MonitorRecord>& monitors,
                                         const WeeklySlot& slot, RankCache& ranks) {
  WeeklySummary out;
  out.user = user.id;
  out.name = user.name;
  out.email = user.email;
  out.time_zone = user.time_zone;
  out.slot = slot;
  auto server = ranks.For(slot.from_ms, slot.to_ms);
  if (!server.ok()) return server.error();
  store::ResultStore& results = store.results();
  for (const store::MonitorRecord& m : monitors) {
    UrlWeek u;
    u.monitor = m.id;
    u.name = m.name;
    u.url = m.url;
    auto week = Summary(results, m.id, slot.from_ms, slot.to_ms);
    auto previous = Summary(results, m.id, slot.from_ms - kWeekMs, slot.from_ms);
    auto before = Summary(results, m.id, slot.from_ms - 5 * kWeekMs, slot.from_ms - kWeekMs);
    if (!week.ok()) return week.error();
    if (!previous.ok()) return previous.error();
    if (!before.ok()) return before.error();
    u.week = *week;
    u.previous = *previous;
    u.four_before = *before;

    auto incidents = store.alerts().ListIncidents(m.id, kIncidentsRead);
    if (!incidents.ok()) return incidents.error();
    for (const model::Incident& inc : *incidents) {
      if (inc.kind != model::IncidentKind::kDown) continue;
      const int64_t end = inc.ended_ms == 0 ? slot.to_ms : inc.ended_ms;
      const int64_t overlap = std::min(end, slot.to_ms) - std::max(inc.started_ms, slot.from_ms);
      if (overlap <= 0 && !(inc.started_ms >= slot.from_ms && inc.started_ms < slot.to_ms)) {
        continue;
      }
      ++u.incidents;
      u.downtime_ms += std::max<int64_t>(overlap, 0);
    }

    u.ranked_among = (*server)->size();
    if (u.week.count > 0) {
      u.more_available_than = (*server)->MoreAvailableThan(Availability(u.week));
      if (u.week.response_checks > 0) {
        u.faster_than = (*server)->FasterThan(u.week.response_p50_us);
      }
    }
    out.urls.push_back(std::move(u));
  }
  std::sort(out.urls.begin(), out.urls.end(),
            [](const UrlWeek& a, const UrlWeek& b) { return a.name < b.name; });
  return out;
}

}  // namespace tocsin::report
