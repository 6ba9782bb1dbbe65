#include "stats/sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tocsin::stats {
namespace {

constexpr uint64_t kMaxCount = std::numeric_limits<uint64_t>::max();
constexpr double kGamma =
    (1 + LatencySketch::kRelativeAccuracy) / (1 - LatencySketch::kRelativeAccuracy);

// log(gamma) = log((1 + a) / (1 - a)) = 2 atanh(a), as a series so that it is
// a compile-time constant (std::log is not constexpr). For a = 0.01 the terms
// fall below double precision after a handful.
constexpr double LogGamma() {
  constexpr double a = LatencySketch::kRelativeAccuracy;
  double sum = 0;
  double power = a;
  for (int k = 0; k < 20; ++k) {
    sum += power / (2 * k + 1);
    power *= a * a;
  }
  return 2 * sum;
}
constexpr double kLogGamma = LogGamma();
constexpr double kInverseLogGamma = 1 / kLogGamma;

// The longest LEB128 encoding of a uint64: 9 bytes of 7 bits, then 1 bit.
constexpr int kMaxVarintBytes = 10;

// REQUIRES: 1 <= micros <= kMaxValue.
uint16_t BucketIndex(int64_t micros) {
  const double index = std::ceil(std::log(static_cast<double>(micros)) * kInverseLogGamma);
  // The clamp only guards against a libm that rounds differently at the top.
  return static_cast<uint16_t>(
      std::clamp(index, 0.0, static_cast<double>(LatencySketch::kMaxBucketIndex)));
}

// The value within kRelativeAccuracy of everything bucket `index` holds,
// rounded to whole microseconds and kept within the range values can take.
int64_t Representative(uint16_t index) {
  const double value = 2 * std::exp(index * kLogGamma) / (kGamma + 1);
  return std::clamp<int64_t>(std::llround(value), 1, LatencySketch::kMaxValue);
}

void PutVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads the varints of a serialized sketch, accepting only minimal encodings
// so that every accepted byte string is the serialization of its sketch.
class VarintReader {
 public:
  explicit VarintReader(std::string_view bytes) : bytes_(bytes) {}

  Result<uint64_t> Read(std::string_view what) {
    uint64_t value = 0;
    for (int i = 0; i < kMaxVarintBytes; ++i) {
      if (pos_ >= bytes_.size()) return Malformed("truncated", what);
      const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
      if (i == kMaxVarintBytes - 1 && byte > 1) return Malformed("overflowing", what);
      value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        if (byte == 0 && i > 0) return Malformed("non-minimal", what);
        return value;
      }
    }
    return Malformed("over-long", what);
  }

  bool at_end() const { return pos_ == bytes_.size(); }
  size_t position() const { return pos_; }

 private:
  Error Malformed(std::string_view problem, std::string_view what) const {
    return InvalidArgument("latency sketch: " + std::string(problem) + " varint for " +
                           std::string(what) + " at byte " + std::to_string(pos_));
  }

  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

void LatencySketch::Add(int64_t micros, uint32_t count) {
  const uint64_t n = std::min<uint64_t>(count, kMaxCount - total_count_);
  if (n == 0) return;
  total_count_ += n;
  if (micros < 1) {
    zero_count_ += n;
    return;
  }
  const uint16_t index = BucketIndex(std::min(micros, kMaxValue));
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                             [](const Bucket& b, uint16_t i) { return b.index < i; });
  if (it != buckets_.end() && it->index == index) {
    it->count += n;
  } else {
    buckets_.insert(it, Bucket{index, n});
  }
}

void LatencySketch::Merge(const LatencySketch& other) {
  if (other.empty()) return;
  // Counts beyond what keeps the total within uint64 are dropped; in practice
  // (2^64 checks) never, but it keeps the invariant that Deserialize checks.
  uint64_t budget = kMaxCount - total_count_;
  auto take = [&budget](uint64_t wanted) {
    const uint64_t taken = std::min(wanted, budget);
    budget -= taken;
    return taken;
  };
  zero_count_ += take(other.zero_count_);

  // A linear merge of two sorted runs; `other` may be *this, so build aside.
  std::vector<Bucket> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto mine = buckets_.begin();
  auto theirs = other.buckets_.begin();
  while (mine != buckets_.end() || theirs != other.buckets_.end()) {
    if (theirs == other.buckets_.end() || (mine != buckets_.end() && mine->index < theirs->index)) {
      merged.push_back(*mine++);
      continue;
    }
    const uint64_t taken = take(theirs->count);
    if (mine != buckets_.end() && mine->index == theirs->index) {
      merged.push_back(Bucket{mine->index, mine->count + taken});
      ++mine;
    } else if (taken > 0) {
      merged.push_back(Bucket{theirs->index, taken});
    }
    ++theirs;
  }
  buckets_ = std::move(merged);
  total_count_ = kMaxCount - budget;
}

int64_t LatencySketch::Quantile(double q) const {
  if (empty()) return 0;
  if (!(q > 0)) q = 0;  // also NaN
  if (q > 1) q = 1;
  const uint64_t last = total_count_ - 1;
  const double scaled = q * static_cast<double>(last);
  // Compare before converting: last may not be exact as a double.
  const uint64_t rank = scaled >= static_cast<double>(last) ? last : static_cast<uint64_t>(scaled);
  if (rank < zero_count_) return 0;
  uint64_t seen = zero_count_;
  for (const Bucket& b : buckets_) {
    seen += b.count;
    if (rank < seen) return Representative(b.index);
  }
  return Representative(buckets_.back().index);  // unreachable while counts add up
}

std::string LatencySketch::Serialize() const {
  std::string out;
  // Version, zero count, bucket count, and about 2-4 bytes a bucket.
  out.reserve(3 + 4 * buckets_.size());
  out.push_back(static_cast<char>(kFormatVersion));
  PutVarint(zero_count_, out);
  PutVarint(buckets_.size(), out);
  int previous = -1;
  for (const Bucket& b : buckets_) {
    PutVarint(static_cast<uint64_t>(b.index - previous - 1), out);
    PutVarint(b.count, out);
    previous = b.index;
  }
  return out;
}

Result<LatencySketch> LatencySketch::Deserialize(std::string_view bytes) {
  if (bytes.empty()) return InvalidArgument("latency sketch: empty input");
  const auto version = static_cast<uint8_t>(bytes[0]);
  if (version != kFormatVersion) {
    return InvalidArgument("latency sketch: unknown format version " + std::to_string(version));
  }
  VarintReader reader(bytes.substr(1));
  LatencySketch sketch;

  auto zero_count = reader.Read("zero count");
  if (!zero_count.ok()) return zero_count.error();
  sketch.zero_count_ = *zero_count;
  sketch.total_count_ = *zero_count;

  auto bucket_count = reader.Read("number of buckets");
  if (!bucket_count.ok()) return bucket_count.error();
  if (*bucket_count > uint64_t{kMaxBucketIndex} + 1) {
    return InvalidArgument("latency sketch: " + std::to_string(*bucket_count) +
                           " buckets declared, at most " + std::to_string(kMaxBucketIndex + 1) +
                           " exist");
  }
  sketch.buckets_.reserve(static_cast<size_t>(*bucket_count));

  uint64_t next_index = 0;  // the smallest index the next bucket may have
  for (uint64_t i = 0; i < *bucket_count; ++i) {
    auto gap = reader.Read("bucket index");
    if (!gap.ok()) return gap.error();
    // Checked before adding so that a huge gap cannot wrap around.
    if (*gap > kMaxBucketIndex || next_index + *gap > kMaxBucketIndex) {
      return InvalidArgument("latency sketch: bucket index beyond " +
                             std::to_string(kMaxBucketIndex));
    }
    const uint64_t index = next_index + *gap;
    auto count = reader.Read("bucket count");
    if (!count.ok()) return count.error();
    if (*count == 0)
      return InvalidArgument("latency sketch: empty bucket " + std::to_string(index));
    if (*count > kMaxCount - sketch.total_count_) {
      return InvalidArgument("latency sketch: total count overflows 64 bits");
    }
    sketch.total_count_ += *count;
    sketch.buckets_.push_back(Bucket{static_cast<uint16_t>(index), *count});
    next_index = index + 1;
  }
  if (!reader.at_end()) {
    return InvalidArgument(
        "latency sketch: " + std::to_string(bytes.size() - 1 - reader.position()) +
        " bytes after the declared content");
  }
  return sketch;
}

}  // namespace tocsin::stats
