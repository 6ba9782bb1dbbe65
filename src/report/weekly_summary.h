// A user's weekly summary, as figures: for each of their URLs the week's
// uptime, incidents and downtime, response and full-download times, the
// change from the previous week and against the four weeks before, the
// slowest phase, and where the URL ranks among all URLs on this server.
// Everything comes from rollups and incidents; nothing here formats text
// (summary_mail.h does).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/account.h"
#include "report/weekly_schedule.h"
#include "store/monitors.h"
#include "store/store.h"

namespace tocsin::report {

// Ranks need this many URLs with checks in the week: fewer, and a rank
// would say too much about the few others (privacy: never reveal another
// user's URL, not even by elimination).
inline constexpr size_t kMinUrlsToRank = 10;

// The server's URLs over one period, reduced to what a percentile rank
// needs: sorted median response times (to the first byte) and sorted
// uptimes. Built once
// per period and shared by every user whose week it is.
class ServerRanks {
 public:
  static Result<ServerRanks> Build(store::ResultStore& results,
                                   const std::vector<store::MonitorRecord>& monitors,
                                   int64_t from_ms, int64_t to_ms);
  // Percent of the other ranked URLs that are slower (a higher median), or
  // less available; nullopt when too few URLs have checks.
  std::optional<double> FasterThan(uint32_t p50_us) const;
  std::optional<double> MoreAvailableThan(double availability) const;
  size_t size() const { return availabilities_.size(); }  // URLs with checks

 private:
  std::vector<uint32_t> p50s_;
  std::vector<double> availabilities_;
};

// Caches ServerRanks by period: users in one time zone share a week.
class RankCache {
 public:
  RankCache(store::ResultStore& results, const std::vector<store::MonitorRecord>& monitors)
      : results_(results), monitors_(monitors) {}
  Result<const ServerRanks*> For(int64_t from_ms, int64_t to_ms);

 private:
  store::ResultStore& results_;
  const std::vector<store::MonitorRecord>& monitors_;
  std::map<std::pair<int64_t, int64_t>, ServerRanks> cache_;
};

struct UrlWeek {
  model::MonitorId monitor = 0;
  std::string name;
  std::string url;
  store::RangeSummary week;
  store::RangeSummary previous;       // the week before
  store::RangeSummary four_before;    // the four weeks before that one
  size_t incidents = 0;               // down incidents overlapping the week
  int64_t downtime_ms = 0;            // their time within the week
  std::optional<double> faster_than;  // percent of the server's URLs
  std::optional<double> more_available_than;
  size_t ranked_among = 0;  // URLs on the server with checks in the week

  // Mean time to the response's first byte (DNS + connect + TLS + first
  // byte), from the phases; nullopt when no check kept its phases.
  std::optional<double> MeanResponseUs(const store::RangeSummary& s) const;
  // The phase with the largest mean, and that mean; nullopt without phases.
  std::optional<std::pair<store::Phase, double>> SlowestPhase() const;
};

struct WeeklySummary {
  model::UserId user = 0;
  std::string name;
  std::string email;
  std::string time_zone;
  WeeklySlot slot;
  std::vector<UrlWeek> urls;  // by name
};

double Availability(const store::RangeSummary& s);  // percent; 0 without checks

// The summary of `user` for `slot`: `monitors` are the URLs of the
// workspaces the user belongs to.
Result<WeeklySummary> BuildWeeklySummary(store::Store& store, const model::User& user,
                                         const std::vector<store::MonitorRecord>& monitors,
                                         const WeeklySlot& slot, RankCache& ranks);

}  // namespace tocsin::report
