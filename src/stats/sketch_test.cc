#include "stats/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tocsin::stats {
namespace {

constexpr double kQuantiles[] = {0, 0.5, 0.9, 0.95, 0.99, 1};
constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

// The documented bound: kRelativeAccuracy of the exact value, plus half a
// microsecond of rounding. The 1e-12 absorbs floating-point noise in log/exp.
::testing::AssertionResult WithinAccuracy(int64_t got, int64_t exact) {
  const double allowed = LatencySketch::kRelativeAccuracy * static_cast<double>(exact) + 0.5 +
                         1e-12 * static_cast<double>(exact);
  if (std::abs(static_cast<double>(got - exact)) <= allowed) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got " << got << ", exact " << exact << ", allowed error " << allowed;
}

// The value at rank floor(q * (n - 1)) of the sorted values, computed the
// same way the contract states it.
int64_t ExactQuantile(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(q * static_cast<double>(values.size() - 1));
  return values[rank];
}

LatencySketch SketchOf(const std::vector<int64_t>& values) {
  LatencySketch sketch;
  for (int64_t v : values) sketch.Add(v);
  return sketch;
}

void ExpectQuantilesWithinAccuracy(const std::vector<int64_t>& values) {
  const LatencySketch sketch = SketchOf(values);
  ASSERT_EQ(sketch.count(), values.size());
  for (double q : kQuantiles) {
    SCOPED_TRACE("q = " + std::to_string(q));
    EXPECT_TRUE(WithinAccuracy(sketch.Quantile(q), ExactQuantile(values, q)));
  }
}

std::vector<int64_t> ExponentialSample(size_t n, double mean_micros, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> dist(1 / mean_micros);
  std::vector<int64_t> values;
  for (size_t i = 0; i < n; ++i) values.push_back(std::llround(dist(rng)));
  return values;
}

// Builds serialized bytes by hand: a version byte, then each number as a
// LEB128 varint.
std::string Bytes(uint8_t version, std::initializer_list<uint64_t> varints) {
  std::string out(1, static_cast<char>(version));
  for (uint64_t v : varints) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::string RawBytes(std::initializer_list<unsigned char> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

::testing::AssertionResult Rejected(std::string_view bytes) {
  auto result = LatencySketch::Deserialize(bytes);
  if (result.ok()) return ::testing::AssertionFailure() << "accepted";
  if (result.error().code != ErrorCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "wrong code: " << result.error().message;
  }
  return ::testing::AssertionSuccess() << result.error().message;
}

// --- Quantiles ---------------------------------------------------------------

TEST(LatencySketchTest, EmptySketchHasNoCountAndAnswersZero) {
  LatencySketch sketch;
  EXPECT_TRUE(sketch.empty());
  EXPECT_EQ(sketch.count(), 0u);
  EXPECT_EQ(sketch.Quantile(0.5), 0);
  EXPECT_EQ(sketch.Quantile(1), 0);
}

TEST(LatencySketchTest, UniformDistributionQuantilesAreWithinAccuracy) {
  std::vector<int64_t> values;
  for (int64_t v = 1; v <= 100'000; ++v) values.push_back(v);
  ExpectQuantilesWithinAccuracy(values);
}

TEST(LatencySketchTest, ExponentialDistributionQuantilesAreWithinAccuracy) {
  ExpectQuantilesWithinAccuracy(ExponentialSample(20'000, 200'000, 1));
}

TEST(LatencySketchTest, BimodalDistributionQuantilesAreWithinAccuracy) {
  // Mostly fast answers around 40 ms, a fifth slow ones around 1.5 s.
  std::mt19937_64 rng(2);
  std::normal_distribution<double> fast(40'000, 5'000);
  std::normal_distribution<double> slow(1'500'000, 200'000);
  std::vector<int64_t> values;
  for (int i = 0; i < 20'000; ++i) {
    const double v = i % 5 == 0 ? slow(rng) : fast(rng);
    values.push_back(std::max<int64_t>(1, std::llround(v)));
  }
  ExpectQuantilesWithinAccuracy(values);
}

TEST(LatencySketchTest, SingleValueAnswersEveryQuantileWithinAccuracy) {
  ExpectQuantilesWithinAccuracy({123'457});
}

TEST(LatencySketchTest, AllEqualValuesAnswerThatValueWithinAccuracy) {
  ExpectQuantilesWithinAccuracy(std::vector<int64_t>(1000, 777));
}

TEST(LatencySketchTest, EveryValueUpTo100000AnswersWithinAccuracy) {
  for (int64_t v = 1; v <= 100'000; ++v) {
    LatencySketch sketch;
    sketch.Add(v);
    ASSERT_TRUE(WithinAccuracy(sketch.Quantile(0.5), v));
  }
}

TEST(LatencySketchTest, SmallValuesAnswerExactly) {
  // Below 50 µs every bucket holds at most one integer.
  for (int64_t v = 1; v < 50; ++v) {
    LatencySketch sketch;
    sketch.Add(v);
    EXPECT_EQ(sketch.Quantile(0.5), v);
  }
}

TEST(LatencySketchTest, ValuesAroundEveryBucketBoundaryAnswerWithinAccuracy) {
  const double gamma =
      (1 + LatencySketch::kRelativeAccuracy) / (1 - LatencySketch::kRelativeAccuracy);
  for (int i = 0; i <= LatencySketch::kMaxBucketIndex; ++i) {
    const auto boundary = static_cast<int64_t>(std::pow(gamma, i));
    for (int64_t v = boundary - 1; v <= boundary + 2; ++v) {
      if (v < 1 || v > LatencySketch::kMaxValue) continue;
      LatencySketch sketch;
      sketch.Add(v);
      ASSERT_TRUE(WithinAccuracy(sketch.Quantile(0.5), v)) << "bucket " << i;
    }
  }
}

TEST(LatencySketchTest, QuantileUsesRankFloorOfQTimesCountMinusOne) {
  // Ranks 0..3 hold 10, 20, 30, 40 ms: q = 0.5 is rank floor(1.5) = 1.
  const LatencySketch sketch = SketchOf({40'000, 10'000, 30'000, 20'000});
  EXPECT_TRUE(WithinAccuracy(sketch.Quantile(0.5), 20'000));
  EXPECT_TRUE(WithinAccuracy(sketch.Quantile(0.67), 30'000));
  EXPECT_TRUE(WithinAccuracy(sketch.Quantile(0.66), 20'000));
}

TEST(LatencySketchTest, QuantileClampsQIntoUnitInterval) {
  const LatencySketch sketch = SketchOf({1'000, 2'000, 300'000});
  EXPECT_EQ(sketch.Quantile(-1), sketch.Quantile(0));
  EXPECT_EQ(sketch.Quantile(7), sketch.Quantile(1));
  EXPECT_EQ(sketch.Quantile(std::nan("")), sketch.Quantile(0));
}

// --- Add -----------------------------------------------------------------------

TEST(LatencySketchTest, ZeroAndNegativeValuesCountInZeroBucketAndAnswerZero) {
  const LatencySketch sketch = SketchOf({0, -1, std::numeric_limits<int64_t>::min()});
  EXPECT_EQ(sketch.count(), 3u);
  EXPECT_EQ(sketch.Quantile(0), 0);
  EXPECT_EQ(sketch.Quantile(1), 0);
}

TEST(LatencySketchTest, ZeroBucketRanksBelowPositiveValues) {
  const LatencySketch sketch = SketchOf({5'000, -3, 0, 5'000, 5'000});
  EXPECT_EQ(sketch.Quantile(0.25), 0);
  EXPECT_TRUE(WithinAccuracy(sketch.Quantile(0.5), 5'000));
}

TEST(LatencySketchTest, ValuesAboveMaxAreClampedToMax) {
  const LatencySketch sketch =
      SketchOf({LatencySketch::kMaxValue + 1, std::numeric_limits<int64_t>::max()});
  LatencySketch at_max;
  at_max.Add(LatencySketch::kMaxValue, 2);
  EXPECT_EQ(sketch, at_max);
  EXPECT_TRUE(WithinAccuracy(sketch.Quantile(1), LatencySketch::kMaxValue));
  EXPECT_LE(sketch.Quantile(1), LatencySketch::kMaxValue);
}

TEST(LatencySketchTest, MaxValueLandsInLastBucket) {
  LatencySketch sketch;
  sketch.Add(LatencySketch::kMaxValue);
  EXPECT_EQ(sketch.Serialize(), Bytes(1, {0, 1, LatencySketch::kMaxBucketIndex, 1}));
}

TEST(LatencySketchTest, OneMicrosecondLandsInFirstBucket) {
  LatencySketch sketch;
  sketch.Add(1);
  EXPECT_EQ(sketch.Serialize(), Bytes(1, {0, 1, 0, 1}));
}

TEST(LatencySketchTest, AddWithCountEqualsRepeatedAdds) {
  LatencySketch counted;
  counted.Add(1'234, 3);
  EXPECT_EQ(counted, SketchOf({1'234, 1'234, 1'234}));
  EXPECT_EQ(counted.count(), 3u);
}

TEST(LatencySketchTest, AddWithZeroCountChangesNothing) {
  LatencySketch sketch;
  sketch.Add(1'234, 0);
  sketch.Add(-1, 0);
  EXPECT_EQ(sketch, LatencySketch());
  EXPECT_EQ(sketch.Serialize(), LatencySketch().Serialize());
}

TEST(LatencySketchTest, TotalCountSaturatesAndStillRoundTrips) {
  LatencySketch sketch;
  sketch.Add(0, std::numeric_limits<uint32_t>::max());
  sketch.Add(5'000, std::numeric_limits<uint32_t>::max());
  for (int i = 0; i < 40; ++i) sketch.Merge(sketch);
  sketch.Add(9'000);
  EXPECT_EQ(sketch.count(), kMaxU64);
  auto back = LatencySketch::Deserialize(sketch.Serialize());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sketch);
}

// --- Merge ---------------------------------------------------------------------

TEST(LatencySketchTest, MergeOfPartsEqualsSketchOfWhole) {
  const std::vector<int64_t> values = ExponentialSample(10'000, 150'000, 3);
  LatencySketch merged;
  // Uneven parts, including an empty one.
  const size_t cuts[] = {0, 17, 17, 2'000, 2'001, 7'500, values.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    merged.Merge(SketchOf({values.begin() + cuts[i], values.begin() + cuts[i + 1]}));
  }
  const LatencySketch whole = SketchOf(values);
  EXPECT_EQ(merged, whole);
  EXPECT_EQ(merged.Serialize(), whole.Serialize());
}

TEST(LatencySketchTest, MergeIsCommutative) {
  const LatencySketch a = SketchOf({0, 800, 12'000, 12'100, 3'000'000});
  const LatencySketch b = SketchOf({-4, 12'000, 45'000, LatencySketch::kMaxValue});
  LatencySketch ab = a;
  ab.Merge(b);
  LatencySketch ba = b;
  ba.Merge(a);
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(ab.Serialize(), ba.Serialize());
  EXPECT_EQ(ab.count(), 9u);
}

TEST(LatencySketchTest, MergeWithEmptyChangesNothing) {
  const LatencySketch a = SketchOf({1, 2'000, 300'000});
  LatencySketch left = a;
  left.Merge(LatencySketch());
  LatencySketch right;
  right.Merge(a);
  EXPECT_EQ(left, a);
  EXPECT_EQ(right, a);
}

TEST(LatencySketchTest, MergeWithItselfDoublesEveryCount) {
  LatencySketch sketch = SketchOf({0, 700, 700, 90'000});
  sketch.Merge(sketch);
  LatencySketch doubled;
  doubled.Add(0, 2);
  doubled.Add(700, 4);
  doubled.Add(90'000, 2);
  EXPECT_EQ(sketch, doubled);
}

TEST(LatencySketchTest, ThirtyDaysOfMinuteSketchesMergeToTheRightPercentiles) {
  // One value a minute for 30 days, each minute stored and read back as the
  // rollup path does, then merged: mostly 80-180 ms with a slow tail.
  constexpr int kMinutes = 30 * 24 * 60;
  std::mt19937_64 rng(4);
  std::vector<int64_t> values;
  LatencySketch month;
  for (int minute = 0; minute < kMinutes; ++minute) {
    const int64_t v = rng() % 10 == 0 ? 500'000 + static_cast<int64_t>(rng() % 4'000'000)
                                      : 80'000 + static_cast<int64_t>(rng() % 100'000);
    values.push_back(v);
    LatencySketch one;
    one.Add(v);
    auto stored = LatencySketch::Deserialize(one.Serialize());
    ASSERT_TRUE(stored.ok());
    month.Merge(*stored);
  }
  EXPECT_EQ(month.count(), static_cast<uint64_t>(kMinutes));
  EXPECT_TRUE(WithinAccuracy(month.Quantile(0.95), ExactQuantile(values, 0.95)));
  EXPECT_TRUE(WithinAccuracy(month.Quantile(0.5), ExactQuantile(values, 0.5)));
  EXPECT_TRUE(WithinAccuracy(month.Quantile(0.99), ExactQuantile(values, 0.99)));
}

// --- Serialization ---------------------------------------------------------------

TEST(LatencySketchSerializationTest, EmptySketchRoundTripsInThreeBytes) {
  const std::string bytes = LatencySketch().Serialize();
  EXPECT_EQ(bytes, Bytes(1, {0, 0}));
  auto back = LatencySketch::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->empty());
  EXPECT_EQ(*back, LatencySketch());
}

TEST(LatencySketchSerializationTest, OneValueRoundTripsInUnderEightBytes) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{250'000}, LatencySketch::kMaxValue}) {
    LatencySketch sketch;
    sketch.Add(v);
    const std::string bytes = sketch.Serialize();
    EXPECT_LT(bytes.size(), 8u) << v;
    auto back = LatencySketch::Deserialize(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, sketch);
  }
}

TEST(LatencySketchSerializationTest, ManyValuesRoundTrip) {
  std::vector<int64_t> values = ExponentialSample(20'000, 300'000, 5);
  values.push_back(0);
  values.push_back(-8);
  values.push_back(LatencySketch::kMaxValue * 2);
  const LatencySketch sketch = SketchOf(values);
  auto back = LatencySketch::Deserialize(sketch.Serialize());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sketch);
  EXPECT_EQ(back->count(), values.size());
  for (double q : kQuantiles) EXPECT_EQ(back->Quantile(q), sketch.Quantile(q));
}

TEST(LatencySketchSerializationTest, HourOfSixtyValuesSerializesUnder200Bytes) {
  std::mt19937_64 rng(6);
  LatencySketch hour;
  for (int i = 0; i < 60; ++i) hour.Add(1'000 + static_cast<int64_t>(rng() % 499'001));
  EXPECT_LT(hour.Serialize().size(), 200u);
}

// --- Deserialize rejects malformed input ---------------------------------------

TEST(LatencySketchSerializationTest, RejectsEmptyInput) {
  EXPECT_TRUE(Rejected(""));
}

TEST(LatencySketchSerializationTest, RejectsUnknownVersion) {
  EXPECT_TRUE(Rejected(Bytes(0, {0, 0})));
  EXPECT_TRUE(Rejected(Bytes(2, {0, 0})));
}

TEST(LatencySketchSerializationTest, RejectsTruncatedVarint) {
  EXPECT_TRUE(Rejected(RawBytes({1, 0x80})));
  EXPECT_TRUE(Rejected(RawBytes({1, 0, 1, 0x85})));
  EXPECT_TRUE(Rejected(RawBytes({1, 0, 1, 5, 0xff})));
}

TEST(LatencySketchSerializationTest, RejectsMissingHeaderFields) {
  EXPECT_TRUE(Rejected(Bytes(1, {})));
  EXPECT_TRUE(Rejected(Bytes(1, {0})));
}

TEST(LatencySketchSerializationTest, RejectsFewerBucketsThanDeclared) {
  EXPECT_TRUE(Rejected(Bytes(1, {0, 2, 5, 1})));
  EXPECT_TRUE(Rejected(Bytes(1, {0, 1, 5})));
}

TEST(LatencySketchSerializationTest, RejectsTrailingBytes) {
  const LatencySketch sketch = SketchOf({3'000, 40'000});
  EXPECT_TRUE(Rejected(sketch.Serialize() + '\0'));
  EXPECT_TRUE(Rejected(Bytes(1, {0, 0, 0})));
}

TEST(LatencySketchSerializationTest, RejectsBucketIndexBeyondRange) {
  EXPECT_TRUE(Rejected(Bytes(1, {0, 1, LatencySketch::kMaxBucketIndex + 1, 1})));
  // The second bucket is the last index plus one.
  EXPECT_TRUE(Rejected(Bytes(1, {0, 2, LatencySketch::kMaxBucketIndex, 1, 0, 1})));
}

TEST(LatencySketchSerializationTest, RejectsHugeIndexGapWithoutWrappingAround) {
  // 10 + 1 + (2^64 - 11) would wrap to index 0.
  EXPECT_TRUE(Rejected(Bytes(1, {0, 2, 10, 1, kMaxU64 - 10, 1})));
  EXPECT_TRUE(Rejected(Bytes(1, {0, 1, kMaxU64, 1})));
}

TEST(LatencySketchSerializationTest, RejectsEmptyBucket) {
  EXPECT_TRUE(Rejected(Bytes(1, {0, 1, 5, 0})));
}

TEST(LatencySketchSerializationTest, RejectsTotalCountOverflowingUint64) {
  EXPECT_TRUE(Rejected(Bytes(1, {kMaxU64, 1, 5, 1})));
  EXPECT_TRUE(Rejected(Bytes(1, {0, 2, 5, kMaxU64 / 2 + 1, 0, kMaxU64 / 2 + 1})));
  // Exactly UINT64_MAX in total is fine.
  EXPECT_TRUE(LatencySketch::Deserialize(Bytes(1, {kMaxU64 - 1, 1, 5, 1})).ok());
}

TEST(LatencySketchSerializationTest, RejectsMoreBucketsThanExist) {
  EXPECT_TRUE(Rejected(Bytes(1, {0, LatencySketch::kMaxBucketIndex + 2})));
  EXPECT_TRUE(Rejected(Bytes(1, {0, kMaxU64})));
}

TEST(LatencySketchSerializationTest, RejectsOverlongAndOverflowingVarints) {
  // Eleven bytes, and ten whose last carries bits beyond 64.
  EXPECT_TRUE(Rejected(std::string(1, '\1') + std::string(10, '\x80') + '\1' + '\0'));
  EXPECT_TRUE(Rejected(std::string(1, '\1') + std::string(9, '\xff') + '\x02' + '\0'));
}

TEST(LatencySketchSerializationTest, RejectsNonMinimalVarint) {
  EXPECT_TRUE(Rejected(RawBytes({1, 0x80, 0x00, 0})));
  EXPECT_TRUE(Rejected(RawBytes({1, 0, 1, 0x85, 0x00, 1})));
}

TEST(LatencySketchSerializationTest, RandomBytesAreRejectedOrRoundTripExactly) {
  // The format is canonical, so whatever is accepted must serialize back to
  // the same bytes. A quarter of the inputs are pure noise; the rest start
  // with the right version and either use small bytes or are a real sketch
  // with one byte changed, so that the parser gets past the header.
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 10'000; ++i) {
    std::string bytes;
    switch (rng() % 4) {
      case 0:
        bytes.resize(rng() % 24);
        for (char& c : bytes) c = static_cast<char>(rng());
        break;
      case 1:
        bytes.resize(1 + rng() % 24);
        for (char& c : bytes) c = static_cast<char>(rng() % 8);
        bytes[0] = '\1';
        break;
      default: {
        LatencySketch sketch;
        for (unsigned n = rng() % 6; n > 0; --n)
          sketch.Add(static_cast<int64_t>(rng() % 2'000'000));
        bytes = sketch.Serialize();
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
        break;
      }
    }
    auto result = LatencySketch::Deserialize(bytes);
    if (!result.ok()) {
      ASSERT_EQ(result.error().code, ErrorCode::kInvalidArgument);
      continue;
    }
    ++accepted;
    ASSERT_EQ(result->Serialize(), bytes);
    EXPECT_LE(result->Quantile(0.99), LatencySketch::kMaxValue);
  }
  EXPECT_GT(accepted, 1'000);
}

}  // namespace
}  // namespace tocsin::stats
