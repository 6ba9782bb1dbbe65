// LatencySketch: a mergeable log-scale latency histogram with bounded relative
// error (DDSketch-style), stored in rollup rows so percentiles of any time
// range come from merging sketches rather than rereading raw results.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tocsin::stats {

// A latency distribution in microseconds. Value v >= 1 lands in bucket
// i = ceil(log(v) / log(gamma)) with gamma = (1 + a) / (1 - a), a =
// kRelativeAccuracy; a quantile is answered with the bucket's representative
// 2 * gamma^i / (gamma + 1), which is within a of every value the bucket holds.
//
// Small by design: a sorted sparse vector of the non-empty buckets, since most
// sketches (one monitor, one minute) hold a handful of values. Merging is exact
// and commutative: the merge of the sketches of parts equals the sketch of the
// whole. Not thread-safe; a sketch is a value.
class LatencySketch {
 public:
  static constexpr double kRelativeAccuracy = 0.01;
  // Latencies above this (1 hour) are clamped to it.
  static constexpr int64_t kMaxValue = 3'600'000'000;
  // The bucket index of kMaxValue; indexes run 0 (the value 1) .. kMaxBucketIndex.
  static constexpr uint16_t kMaxBucketIndex = 1101;
  // First byte of Serialize(). The bucket mapping (accuracy, index range) is
  // part of the format: changing either needs a new version.
  static constexpr uint8_t kFormatVersion = 1;

  // Records `count` occurrences of `micros`. Values < 1 (zero and negative)
  // count in a dedicated zero bucket; values above kMaxValue are clamped to it.
  // The total count saturates at UINT64_MAX (counts beyond it are dropped).
  void Add(int64_t micros, uint32_t count = 1);

  // Adds every value of `other` to this sketch. Exact: merging the sketches of
  // parts gives the sketch of the whole, in any order (short of saturation).
  void Merge(const LatencySketch& other);

  uint64_t count() const { return total_count_; }
  bool empty() const { return total_count_ == 0; }

  // The value at rank floor(q * (count - 1)) of the sorted added values, to
  // within kRelativeAccuracy of that value, plus at most 0.5 µs from rounding
  // the answer to whole microseconds:
  //   |Quantile(q) - exact| <= kRelativeAccuracy * exact + 0.5.
  // (Below 100 µs a bucket can hold two neighbouring integers, e.g. 58 and 59,
  // that no single integer answer is within 1% of.) Values counted in the zero
  // bucket answer 0; the answer never exceeds kMaxValue. q outside [0, 1] (or
  // NaN) is clamped into it. Returns 0 when empty.
  int64_t Quantile(double q) const;

  // Compact, portable, canonical bytes: version byte, then LEB128 varints:
  // zero count, number of non-empty buckets n, and n pairs of (index gap,
  // count) in increasing index order. The first gap is the index itself, each
  // later one is index - previous index - 1. One value takes 6 bytes or fewer;
  // an empty sketch 3. Equal sketches serialize to equal bytes.
  std::string Serialize() const;

  // The inverse of Serialize(). Accepts exactly the bytes Serialize() can
  // produce and rejects anything else with an InvalidArgument error: empty
  // input, an unknown version, truncated, over-long or non-minimal varints, a
  // bucket index above kMaxBucketIndex, a zero bucket count, a total count
  // overflowing uint64, or bytes after the declared content. Allocation is
  // bounded by kMaxBucketIndex + 1 buckets whatever the input.
  static Result<LatencySketch> Deserialize(std::string_view bytes);

  friend bool operator==(const LatencySketch&, const LatencySketch&) = default;

 private:
  struct Bucket {
    uint16_t index;
    uint64_t count;  // > 0
    friend bool operator==(const Bucket&, const Bucket&) = default;
  };

  // Non-empty buckets in strictly increasing index order.
  std::vector<Bucket> buckets_;
  uint64_t zero_count_ = 0;
  // zero_count_ plus every bucket's count; never overflows.
  uint64_t total_count_ = 0;
};

}  // namespace tocsin::stats
