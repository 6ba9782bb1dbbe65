// CheckResult: what one check measured, in full: the object `tocsin check
// --json` prints. What travels on to the rest of Tocsin is its
// model::CheckRecord (ToRecord).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.h"
#include "model/check_record.h"
#include "model/ids.h"
#include "model/outcome.h"
#include "net/ip_address.h"

namespace tocsin::probe {

using model::kOutcomeCount;
using model::Outcome;
using model::OutcomeName;
using model::TlsFailure;
using model::TlsFailureName;

// "1.0", "1.1", "2", "3" for CheckResult::http_version; "" for none.
std::string_view HttpVersionName(uint8_t version);

struct TlsCertificate {
  std::string subject;  // RFC 2253, e.g. "CN=example.com,O=Example"
  std::string issuer;
  int64_t not_before = 0;  // Unix seconds
  int64_t not_after = 0;
};

// Phase durations in microseconds; a phase never reached is 0. For a check
// that followed redirects, the phases are those of the last hop and
// `redirect` is the time spent on the earlier hops, so the phases add up to
// `total` (give or take the engine's own bookkeeping, a few microseconds).
struct Timings {
  Micros dns = 0;
  Micros connect = 0;
  Micros tls = 0;
  Micros ttfb = 0;      // request sent to first response byte
  Micros download = 0;  // first byte to last byte
  Micros redirect = 0;
  Micros total = 0;
  // Time to the first byte of the final response, the "response time".
  Micros response() const { return redirect + dns + connect + tls + ttfb; }
};

struct CheckResult {
  model::JobId job;       // the submitter's id for the run, echoed back
  Micros started_at = 0;  // Unix microseconds
  Outcome outcome = Outcome::kOk;
  TlsFailure tls_failure = TlsFailure::kNone;
  std::string detail;  // a sentence on what went wrong; empty when ok
  std::string url;     // the URL of the final hop
  std::string host;
  net::IpAddress ip;  // the address connected to (last hop)
  bool dns_cached = false;
  uint16_t http_status = 0;
  uint8_t http_version = 0;  // 10, 11, 20, 30; 0 when no response
  uint8_t redirects = 0;
  Timings timings;
  uint64_t bytes = 0;       // body bytes received on the wire
  uint64_t body_bytes = 0;  // body bytes after content decoding
  uint32_t header_bytes = 0;
  std::optional<TlsCertificate> certificate;

  bool ok() const { return outcome == Outcome::kOk; }
};

nlohmann::json ResultToJson(const CheckResult& r);

// The record the rest of Tocsin keeps of this result: for monitor
// `result.job.monitor`, checked from `location`. Strings are cut to the
// record's limits and times clamped to 32 bits of microseconds.
model::CheckRecord ToRecord(const CheckResult& result, model::LocationId location);

}  // namespace tocsin::probe
