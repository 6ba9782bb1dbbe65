// Rollups: per monitor, per minute/hour/day aggregates (count, failures,
// min, max, sum and a mergeable latency sketch), so a summary of any range
// merges a few rows instead of rereading raw results. Back-end independent:
// each Store implementation reads and writes RollupRows.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <tuple>
#include <vector>

#include "report/sketch.h"
#include "store/store.h"

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
  report::LatencySketch sketch;

  void Add(const StoredResult& r);
  void Merge(const RollupRow& other);
};

struct RollupKey {
  MonitorId monitor;
  RollupLevel level;
  int64_t bucket;  // Unix seconds of the bucket's start
  auto operator<=>(const RollupKey&) const = default;
};

// The rollup rows a batch of results contributes to, at every level.
std::map<RollupKey, RollupRow> AggregateBatch(std::span<const StoredResult> results);

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

}  // namespace tocsin::store
