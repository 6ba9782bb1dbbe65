#include "model/check_record.h"

#include <gtest/gtest.h>

namespace tocsin::model {
namespace {

CheckRecord Sample() {
  CheckRecord r;
  r.monitor = 4'000'000'001u;
  r.location = 7;
  r.ts_ms = 1'795'000'000'123;
  r.outcome = Outcome::kTlsError;
  r.tls_failure = TlsFailure::kExpired;
  r.status = 0;
  r.http_version = 20;
  r.ip = "2001:db8::1";
  r.dns_us = 1'200;
  r.connect_us = 3'400;
  r.tls_us = 15'000;
  r.ttfb_us = 0;
  r.download_us = 0;
  r.redirect_us = 250;
  r.total_us = 19'850;
  r.bytes = 0;
  r.cert_not_after = 1'700'000'000;
  r.detail = "certificate expired 2023-11-14";
  return r;
}

TEST(CheckRecordTest, RoundTripsEveryField) {
  std::vector<CheckRecord> records = {Sample(), CheckRecord{}};
  records[1].ts_ms = -1;  // before 1970: signed times survive
  const std::string wire = SerializeRecords(records);
  auto parsed = ParseRecords(wire);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, records);
}

TEST(CheckRecordTest, StartsWithItsVersion) {
  std::string wire;
  AppendRecord(Sample(), wire);
  EXPECT_EQ(static_cast<uint8_t>(wire[0]), kRecordFormatVersion);
}

TEST(CheckRecordTest, ReaderSkipsFieldsOfANewerVersion) {
  // A future version appends fields to version 1's body: an older reader
  // takes what it knows and moves on to the next record.
  std::string v1;
  AppendRecord(Sample(), v1);
  std::string body = v1.substr(2);  // version byte and a one-byte length
  ASSERT_LT(body.size(), 0x80u - 3);
  body += "\x05\x01\x02";  // fields unknown to version 1
  std::string v2;
  v2.push_back(2);
  v2.push_back(static_cast<char>(body.size()));
  v2 += body;
  v2 += v1;  // followed by another record
  auto parsed = ParseRecords(v2);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0], Sample());
  EXPECT_EQ((*parsed)[1], Sample());
}

TEST(CheckRecordTest, ABodyWithoutFlagsReadsAsNoFlags) {
  CheckRecord r = Sample();
  r.in_maintenance = true;
  std::string wire;
  AppendRecord(r, wire);
  ASSERT_EQ(wire.back(), '\x01');  // the flags, last
  std::string without = wire.substr(0, wire.size() - 1);
  without[1] = static_cast<char>(without[1] - 1);  // one byte shorter (a one-byte length)
  auto parsed = ParseRecords(without);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  r.in_maintenance = false;
  EXPECT_EQ((*parsed)[0], r);
}

TEST(CheckRecordTest, MalformedInputIsAnErrorAndLeavesTheInputAlone) {
  std::string wire;
  AppendRecord(Sample(), wire);
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    std::string_view truncated(wire.data(), cut);
    const std::string_view before = truncated;
    EXPECT_FALSE(ReadRecord(truncated).ok()) << "cut at " << cut;
    EXPECT_EQ(truncated.data(), before.data());
    EXPECT_EQ(truncated.size(), before.size());
  }
  std::string version_zero = wire;
  version_zero[0] = 0;
  EXPECT_FALSE(ParseRecords(version_zero).ok());
}

TEST(CheckRecordTest, OutOfRangeOutcomeIsRefused) {
  CheckRecord r = Sample();
  std::string wire;
  AppendRecord(r, wire);
  // The outcome is the 4th field: monitor (5 bytes), location (1), ts (6).
  const size_t outcome_at = 2 + 5 + 1 + 6;
  ASSERT_EQ(static_cast<uint8_t>(wire[outcome_at]), static_cast<uint8_t>(Outcome::kTlsError));
  wire[outcome_at] = static_cast<char>(kOutcomeCount);
  EXPECT_FALSE(ParseRecords(wire).ok());
}

TEST(CheckRecordTest, OversizedStringsAreCutOnAUtf8Boundary) {
  CheckRecord r;
  r.detail = std::string(kMaxDetailBytes - 1, 'x') + "\xc3\xa9";  // ends with a 2-byte 'é'
  std::string wire;
  AppendRecord(r, wire);
  auto parsed = ParseRecords(wire);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[0].detail, std::string(kMaxDetailBytes - 1, 'x'));
}

TEST(CheckRecordTest, ResponseTimeIsThePhasesBeforeTheDownload) {
  const CheckRecord r = Sample();
  EXPECT_EQ(r.response_us(), 250u + 1'200 + 3'400 + 15'000 + 0);
}

TEST(OutcomeTest, NamesRoundTrip) {
  for (int i = 0; i < kOutcomeCount; ++i) {
    const auto o = static_cast<Outcome>(i);
    EXPECT_EQ(OutcomeFromName(OutcomeName(o)), o);
  }
  EXPECT_EQ(OutcomeFromName("nope"), std::nullopt);
}

}  // namespace
}  // namespace tocsin::model
