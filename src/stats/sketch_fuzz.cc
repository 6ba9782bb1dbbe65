// libFuzzer target: stored sketch bytes are checked, never trusted; what
// deserializes re-serializes to the same bytes, answers ordered quantiles
// within range, and merges (as the rollups do) into a sketch that round-trips.
#include <cstdint>
#include <string_view>

#include "stats/sketch.h"

using tocsin::stats::LatencySketch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto sketch = LatencySketch::Deserialize(bytes);
  if (!sketch.ok()) return 0;
  if (sketch->Serialize() != bytes) __builtin_trap();
  const int64_t low = sketch->Quantile(0);
  const int64_t p99 = sketch->Quantile(0.99);
  const int64_t high = sketch->Quantile(1);
  if (low < 0 || low > p99 || p99 > high || high > LatencySketch::kMaxValue) __builtin_trap();
  LatencySketch merged = *sketch;
  merged.Merge(*sketch);
  const uint64_t count = sketch->count();
  const uint64_t doubled = count > UINT64_MAX - count ? UINT64_MAX : 2 * count;
  if (merged.count() != doubled) __builtin_trap();
  auto back = LatencySketch::Deserialize(merged.Serialize());
  if (!back.ok() || *back != merged) __builtin_trap();
  return 0;
}
