// CheckRecord: what one check measured, as it travels between modules (probe
// -> pipeline -> store, alerts, API) and, from remote agents, over the wire.
// Integers and two short strings; the probe's richer CheckResult (URL,
// certificate subject, ...) stays in the probe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/ids.h"
#include "model/outcome.h"

namespace tocsin::model {

// Longest strings a record carries; longer ones are cut when the record is
// made, and refused when read off the wire.
inline constexpr size_t kMaxIpBytes = 64;
inline constexpr size_t kMaxDetailBytes = 1024;

struct CheckRecord {
  MonitorId monitor = 0;
  LocationId location = kLocalLocation;
  int64_t ts_ms = 0;  // Unix milliseconds when the check started
  Outcome outcome = Outcome::kOk;
  TlsFailure tls_failure = TlsFailure::kNone;
  uint16_t status = 0;       // HTTP status of the final response; 0 when none
  uint8_t http_version = 0;  // 10, 11, 20, 30; 0 when no response
  std::string ip;            // the address connected to (last hop), text form
  // Phases in microseconds (see probe::Timings): the phases of the last hop,
  // the earlier hops in redirect_us; a phase never reached is 0.
  uint32_t dns_us = 0;
  uint32_t connect_us = 0;
  uint32_t tls_us = 0;
  uint32_t ttfb_us = 0;
  uint32_t download_us = 0;
  uint32_t redirect_us = 0;
  uint32_t total_us = 0;
  uint32_t bytes = 0;           // body bytes on the wire
  int64_t cert_not_after = 0;   // Unix seconds; 0 when no certificate was seen
  std::string detail;           // a sentence on what went wrong; empty when ok
  bool in_maintenance = false;  // taken during a maintenance window: alerts held

  bool ok() const { return outcome == Outcome::kOk; }
  // Time to the first byte of the final response.
  uint32_t response_us() const { return redirect_us + dns_us + connect_us + tls_us + ttfb_us; }
  bool operator==(const CheckRecord&) const = default;
};

// The wire format, versioned. Each record is self-delimiting:
//   version (1 byte) | body length (varint) | body
// A reader takes the fields its version knows and skips the rest of the
// body, so a newer agent's records are read by an older server and the
// other way round. Version 1's body: the fields above in declaration order,
// integers as (zigzag) varints, strings as varint length + bytes,
// in_maintenance as a flags varint (bit 0) that may be absent (no flags).
inline constexpr uint8_t kRecordFormatVersion = 1;

void AppendRecord(const CheckRecord& record, std::string& out);
std::string SerializeRecords(std::span<const CheckRecord> records);

// Reads one record from the front of `in` and advances it. Malformed input
// (truncated, oversized strings, out-of-range enums, version 0) is
// kInvalidArgument and leaves `in` where it was.
Result<CheckRecord> ReadRecord(std::string_view& in);
// Every record of `in`, or the error of the first malformed one.
Result<std::vector<CheckRecord>> ParseRecords(std::string_view in);

}  // namespace tocsin::model
