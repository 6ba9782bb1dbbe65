#include "api/monitor_stats.h"

#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "api/json.h"
#include "store/rollup.h"

namespace tocsin::api {
namespace {

constexpr size_t kMaxIds = 200;
constexpr int64_t kHourS = 3'600;
constexpr int64_t kDayS = 86'400;

// "3,17,42" -> ids; InvalidField on anything else or on too many.
Result<std::vector<model::MonitorId>> ReadIds(const Request& r) {
  const std::string raw = QueryParam(r, "ids").value_or("");
  std::vector<model::MonitorId> ids;
  size_t start = 0;
  while (start < raw.size()) {
    const size_t comma = std::min(raw.find(',', start), raw.size());
    int64_t id = 0;
    const char* first = raw.data() + start;
    const char* last = raw.data() + comma;
    auto [end, ec] = std::from_chars(first, last, id);
    if (ec != std::errc() || end != last || id <= 0) {
      return InvalidField("ids", "'ids' is a comma-separated list of monitor ids");
    }
    ids.push_back(static_cast<model::MonitorId>(id));
    start = comma + 1;
  }
  if (ids.empty()) return InvalidField("ids", "'ids' names at least one monitor");
  if (ids.size() > kMaxIds) {
    return InvalidField("ids", "at most " + std::to_string(kMaxIds) + " monitors at a time");
  }
  return ids;
}

nlohmann::json Availability(const store::RangeSummary& s) {
  if (s.count == 0) return nullptr;
  return 100.0 * static_cast<double>(s.count - s.failures) / static_cast<double>(s.count);
}

Result<nlohmann::json> StatsOf(store::ResultStore& results, model::MonitorId id, int64_t now_s) {
  nlohmann::json j = {{"id", id}};
  for (const auto& [key, days] :
       {std::pair{"uptime_24h", 1}, {"uptime_7d", 7}, {"uptime_30d", 30}}) {
    auto s = results.Summarize(id, now_s - days * kDayS, now_s + 1);
    if (!s.ok()) return s.error();
    j[key] = Availability(*s);
    if (days == 1) j["p95_24h_us"] = s->count > s->failures ? nlohmann::json(s->p95_us) : nullptr;
  }
  // The last 24 whole hours and the current one: a point per hour, null
  // where nothing ran.
  const int64_t this_hour = store::BucketStart(store::RollupLevel::kHour, now_s);
  const int64_t first = this_hour - 24 * kHourS;
  auto hours = results.Series(id, store::RollupLevel::kHour, first, this_hour + kHourS);
  if (!hours.ok()) return hours.error();
  nlohmann::json spark = nlohmann::json::array();
  size_t next = 0;
  for (int64_t h = first; h <= this_hour; h += kHourS) {
    while (next < hours->size() && (*hours)[next].bucket_s < h) ++next;
    const bool has = next < hours->size() && (*hours)[next].bucket_s == h &&
                     (*hours)[next].summary.count > (*hours)[next].summary.failures;
    spark.push_back(has ? nlohmann::json((*hours)[next].summary.p50_us) : nlohmann::json());
  }
  j["p50_by_hour_us"] = std::move(spark);
  return j;
}

}  // namespace

std::vector<Route> MonitorStatsRoutes(const ApiContext& c, MonitorCatalog& catalog) {
  MonitorCatalog* cat = &catalog;
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/monitors/stats",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(ids, ReadIds(r));
                      TOCSIN_TRY(visible, VisibleWorkspaces(c, p));
                      const std::unordered_set<model::WorkspaceId> shown(visible->begin(),
                                                                         visible->end());
                      std::unordered_map<model::MonitorId, bool> mine;
                      const MonitorList snapshot = cat->Snapshot();
                      for (const model::Monitor& m : *snapshot)
                        mine[m.id] = shown.contains(m.workspace);
                      const int64_t now_s = NowMs() / 1000;
                      nlohmann::json list = nlohmann::json::array();
                      for (model::MonitorId id : *ids) {
                        // Another workspace's monitor is as absent as one that never was.
                        if (const auto it = mine.find(id); it == mine.end() || !it->second)
                          continue;
                        TOCSIN_TRY(stats, StatsOf(c.store->results(), id, now_s));
                        list.push_back(std::move(*stats));
                      }
                      return JsonResponse(200, {{"stats", std::move(list)}});
                    })});
  return routes;
}

}  // namespace tocsin::api
