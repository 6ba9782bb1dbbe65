// The results aggregate: raw check results, their minute/hour/day rollups,
// each monitor's latest state, and retention.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "model/check_record.h"
#include "model/ids.h"
#include "model/latest_state.h"

namespace tocsin::store {

enum class RollupLevel : uint8_t { kMinute = 0, kHour = 1, kDay = 2 };

// The phases a rollup keeps a sum of, in the order a request goes through
// them (redirect hops are not kept apart: they are in the total only).
enum class Phase : uint8_t { kDns, kConnect, kTls, kFirstByte, kDownload };
inline constexpr size_t kPhaseCount = 5;

// Aggregate over a time range, from merged rollups. Latency figures are over
// successful checks (a timed-out check has no meaningful latency).
struct RangeSummary {
  uint64_t count = 0;
  uint64_t failures = 0;
  uint32_t min_us = 0;
  uint32_t max_us = 0;
  double mean_us = 0;
  uint32_t p50_us = 0;
  uint32_t p95_us = 0;
  uint32_t p99_us = 0;
  // Mean of each phase (indexed by Phase) over the `phased` successful
  // checks whose rollups kept phases (hour and day rows: not a range's
  // ragged minutes); all 0 when phased is 0.
  uint64_t phased = 0;
  std::array<double, kPhaseCount> phase_mean_us{};
  // Median and p95 of the response time (to the first byte) over the
  // `response_checks` successful checks of hour and day rollups (the
  // ragged minutes at a range's edges do not count); 0 without any.
  uint64_t response_checks = 0;
  uint32_t response_p50_us = 0;
  uint32_t response_p95_us = 0;
};

// One rollup bucket, summarised: a point of a chart's series.
struct BucketSummary {
  int64_t bucket_s = 0;  // Unix seconds of the bucket's start
  RangeSummary summary;
};

struct StoreStats {
  uint64_t raw_rows = 0;
  uint64_t file_bytes = 0;  // database files on disk
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;

  // Writes results, their rollups and the latest state per monitor, in one
  // transaction: all or nothing. A raw row keeps what the store's schema
  // holds (outcome, status, address, phases, bytes, detail); the record's
  // other fields serve the modules it passes on the way.
  virtual Status WriteBatch(std::span<const model::CheckRecord> results) = 0;

  // Deletes raw results (and minute rollups) older than before_ms, working
  // through the monitors a slice at a time: about max_rows rows or a
  // thousand monitors per call. Returns how many results went; call it
  // periodically.
  virtual Result<size_t> DeleteExpired(int64_t before_ms, size_t max_rows) = 0;

  virtual Result<std::vector<model::CheckRecord>> QueryResults(model::MonitorId monitor,
                                                               int64_t from_ms, int64_t to_ms,
                                                               size_t limit) = 0;
  // Summary of [from_s, to_s), using the coarsest rollups that fit.
  virtual Result<RangeSummary> Summarize(model::MonitorId monitor, int64_t from_s,
                                         int64_t to_s) = 0;
  // The rollups of `level` whose buckets start in [from_s, to_s), oldest
  // first, each summarised: a chart's series (hours for a week, days for a
  // year) read straight from the rollups. Buckets without a check are
  // absent.
  virtual Result<std::vector<BucketSummary>> Series(model::MonitorId monitor, RollupLevel level,
                                                    int64_t from_s, int64_t to_s) = 0;
  virtual Result<std::vector<model::LatestState>> LoadLatest() = 0;
  virtual Result<StoreStats> Stats() = 0;
};

}  // namespace tocsin::store
