#include "store/rollup.h"

#include <algorithm>

namespace tocsin::store {

void RollupRow::Add(const model::CheckRecord& r) {
  ++count;
  if (!r.ok()) {
    ++failures;
    return;
  }
  const uint64_t ok_before = count - failures - 1;
  min_us = ok_before == 0 ? r.total_us : std::min(min_us, r.total_us);
  max_us = std::max(max_us, r.total_us);
  sum_us += r.total_us;
  sketch.Add(r.total_us);
  response_sketch.Add(r.response_us());
  ++phased;
  phase_sum_us[static_cast<size_t>(Phase::kDns)] += r.dns_us;
  phase_sum_us[static_cast<size_t>(Phase::kConnect)] += r.connect_us;
  phase_sum_us[static_cast<size_t>(Phase::kTls)] += r.tls_us;
  phase_sum_us[static_cast<size_t>(Phase::kFirstByte)] += r.ttfb_us;
  phase_sum_us[static_cast<size_t>(Phase::kDownload)] += r.download_us;
}

void RollupRow::Merge(const RollupRow& other) {
  const uint64_t ok_this = count - failures;
  const uint64_t ok_other = other.count - other.failures;
  if (ok_other > 0) {
    min_us = ok_this == 0 ? other.min_us : std::min(min_us, other.min_us);
    max_us = std::max(max_us, other.max_us);
  }
  count += other.count;
  failures += other.failures;
  sum_us += other.sum_us;
  sketch.Merge(other.sketch);
  response_sketch.Merge(other.response_sketch);
  phased += other.phased;
  for (size_t i = 0; i < kPhaseCount; ++i) phase_sum_us[i] += other.phase_sum_us[i];
}

Result<RollupRow> RollupRow::FromColumns(int64_t count, int64_t failures, int64_t min_us,
                                         int64_t max_us, int64_t sum_us, std::string_view sketch) {
  RollupRow row;
  row.count = static_cast<uint64_t>(count);
  row.failures = static_cast<uint64_t>(failures);
  row.min_us = static_cast<uint32_t>(min_us);
  row.max_us = static_cast<uint32_t>(max_us);
  row.sum_us = static_cast<uint64_t>(sum_us);
  auto parsed = stats::LatencySketch::Deserialize(sketch);
  if (!parsed.ok()) return Internal("corrupt rollup sketch: " + parsed.error().message);
  row.sketch = std::move(*parsed);
  return row;
}

std::map<RollupKey, RollupRow> AggregateBatch(std::span<const model::CheckRecord> results) {
  std::map<RollupKey, RollupRow> rows;
  for (const model::CheckRecord& r : results) {
    // Floor, not truncation: a result at -500 ms belongs to the second -1.
    const int64_t seconds = r.ts_ms / 1000 - (r.ts_ms % 1000 < 0 ? 1 : 0);
    for (RollupLevel level : {RollupLevel::kMinute, RollupLevel::kHour, RollupLevel::kDay}) {
      rows[RollupKey{r.monitor, level, BucketStart(level, seconds)}].Add(r);
    }
  }
  return rows;
}

namespace {

int64_t CeilTo(int64_t v, int64_t width) {
  const int64_t floor = v - ((v % width) + width) % width;
  return floor == v ? v : floor + width;
}
int64_t FloorTo(int64_t v, int64_t width) {
  return v - ((v % width) + width) % width;
}

// Covers [from, to) at `level` where whole buckets fit, and hands the ragged
// edges down to the next finer level.
void Plan(RollupLevel level, int64_t from, int64_t to, RangePlan* plan) {
  if (from >= to) return;
  if (level == RollupLevel::kMinute) {
    plan->spans.push_back({level, FloorTo(from, 60), to});
    return;
  }
  const int64_t width = kLevelSeconds[static_cast<int>(level)];
  const int64_t whole_from = CeilTo(from, width);
  const int64_t whole_to = FloorTo(to, width);
  const auto finer = static_cast<RollupLevel>(static_cast<int>(level) - 1);
  if (whole_from >= whole_to) {
    Plan(finer, from, to, plan);
    return;
  }
  Plan(finer, from, whole_from, plan);
  plan->spans.push_back({level, whole_from, whole_to});
  Plan(finer, whole_to, to, plan);
}

}  // namespace

RangePlan PlanRange(int64_t from_s, int64_t to_s) {
  RangePlan plan;
  Plan(RollupLevel::kDay, from_s, to_s, &plan);
  return plan;
}

Status MergeIntoRollups(std::span<const model::CheckRecord> results, const RollupReader& read,
                        const RollupWriter& write) {
  for (auto& [key, row] : AggregateBatch(results)) {
    auto existing = read(key);
    if (!existing.ok()) return existing.error();
    if (*existing) row.Merge(**existing);
    if (Status s = write(key, row); !s.ok()) return s;
  }
  return {};
}

Result<RangeSummary> SummarizeRange(int64_t from_s, int64_t to_s, const RollupSpanReader& read) {
  RollupRow merged;
  for (const auto& span : PlanRange(from_s, to_s).spans) {
    if (Status s = read(span.level, span.from_s, span.to_s, merged); !s.ok()) return s.error();
  }
  return Summarize(merged);
}

RangeSummary Summarize(const RollupRow& merged) {
  RangeSummary s;
  s.count = merged.count;
  s.failures = merged.failures;
  const uint64_t ok = merged.count - merged.failures;
  if (ok == 0) return s;
  s.min_us = merged.min_us;
  s.max_us = merged.max_us;
  s.mean_us = static_cast<double>(merged.sum_us) / static_cast<double>(ok);
  s.p50_us = static_cast<uint32_t>(merged.sketch.Quantile(0.50));
  s.p95_us = static_cast<uint32_t>(merged.sketch.Quantile(0.95));
  s.p99_us = static_cast<uint32_t>(merged.sketch.Quantile(0.99));
  if (!merged.response_sketch.empty()) {
    s.response_checks = merged.response_sketch.count();
    s.response_p50_us = static_cast<uint32_t>(merged.response_sketch.Quantile(0.50));
    s.response_p95_us = static_cast<uint32_t>(merged.response_sketch.Quantile(0.95));
  }
  s.phased = merged.phased;
  if (merged.phased > 0) {
    for (size_t i = 0; i < kPhaseCount; ++i) {
      s.phase_mean_us[i] =
          static_cast<double>(merged.phase_sum_us[i]) / static_cast<double>(merged.phased);
    }
  }
  return s;
}

}  // namespace tocsin::store
