// Rollups: per monitor, per minute/hour/day aggregates (count, failures,
// min, max, sum and a mergeable latency sketch), so a summary of any range
// merges a few rows instead of rereading raw results. Back-end independent:
// the merging and the range planning live here; a back end only reads and
// writes rows (SQLite today, PostgreSQL next).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/result.h"
#include "model/check_record.h"
#include "stats/sketch.h"
#include "store/results.h"

namespace tocsin::store {

inline constexpr int64_t kLevelSeconds[] = {60, 3'600, 86'400};

inline int64_t BucketStart(RollupLevel level, int64_t unix_seconds) {
  const int64_t width = kLevelSeconds[static_cast<int>(level)];
  return unix_seconds - ((unix_seconds % width) + width) % width;
}

struct RollupRow {
  uint64_t count = 0;
  uint64_t failures = 0;
  uint32_t min_us = 0;  // over successful checks; 0 when none
  uint32_t max_us = 0;
  uint64_t sum_us = 0;
  stats::LatencySketch sketch;
  // Per-phase sums (DNS, connect, TLS, first byte, download) over the
  // successful checks counted in `phased`: a chart of a long range stacks
  // the mean of each. And the response time (to the first byte, redirects
  // included) of the same checks, for its median and p95 in the weekly
  // summary. Stores keep both in hour and day rows only: in minute rows
  // (one per check at one check a minute) they would cost about 15 bytes a
  // check for figures no one reads at that grain; so a range's ragged
  // minutes count in its totals and percentiles but not here. Rows written
  // before phases were kept have phased 0 likewise.
  uint64_t phased = 0;
  std::array<uint64_t, kPhaseCount> phase_sum_us{};
  stats::LatencySketch response_sketch;

  void Add(const model::CheckRecord& r);
  void Merge(const RollupRow& other);

  // A row from its stored columns; a sketch blob that does not parse is
  // kInternal (a corrupt database, not bad input).
  static Result<RollupRow> FromColumns(int64_t count, int64_t failures, int64_t min_us,
                                       int64_t max_us, int64_t sum_us, std::string_view sketch);
};

struct RollupKey {
  model::MonitorId monitor;
  RollupLevel level;
  int64_t bucket;  // Unix seconds of the bucket's start
  auto operator<=>(const RollupKey&) const = default;
};

// The rollup rows a batch of results contributes to, at every level.
std::map<RollupKey, RollupRow> AggregateBatch(std::span<const model::CheckRecord> results);

// Folds a batch into the stored rollups: aggregates it, then for every row
// it touches reads the stored row (nullopt when there is none), merges and
// writes it back. The caller runs this inside the batch's transaction.
using RollupReader = std::function<Result<std::optional<RollupRow>>(const RollupKey&)>;
using RollupWriter = std::function<Status(const RollupKey&, const RollupRow&)>;
Status MergeIntoRollups(std::span<const model::CheckRecord> results, const RollupReader& read,
                        const RollupWriter& write);

// A range split into whole days, whole hours and minutes: what to read at
// each level to cover [from_s, to_s) with the fewest rows.
struct RangePlan {
  struct Span {
    RollupLevel level;
    int64_t from_s;  // bucket starts in [from_s, to_s)
    int64_t to_s;
  };
  std::vector<Span> spans;
};
RangePlan PlanRange(int64_t from_s, int64_t to_s);

RangeSummary Summarize(const RollupRow& merged);

// The summary of [from_s, to_s): plans the range and merges what `read`
// returns for each span (every row of that level with a bucket start in
// [from_s, to_s), merged into `merged`).
using RollupSpanReader =
    std::function<Status(RollupLevel level, int64_t from_s, int64_t to_s, RollupRow& merged)>;
Result<RangeSummary> SummarizeRange(int64_t from_s, int64_t to_s, const RollupSpanReader& read);

}  // namespace tocsin::store
