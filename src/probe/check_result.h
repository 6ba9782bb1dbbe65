// CheckResult: what one check measured. This is the record the store keeps
// (compactly) and the object `tocsin check --json` prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.h"
#include "net/ip_address.h"

namespace tocsin::probe {

// The closed set of outcomes. Values are stored: append only, never renumber.
enum class Outcome : uint8_t {
  kOk = 0,
  kDnsError = 1,         // the name did not resolve (NXDOMAIN, no records, DNS timeout)
  kBlockedAddress = 2,   // the address policy refused every address
  kConnectRefused = 3,   // the TCP connection was refused or rejected
  kConnectTimeout = 4,   // no TCP connection within the timeout
  kTlsError = 5,         // handshake or certificate failure; tls_failure says which
  kTimeout = 6,          // connected, but the response did not complete in time
  kHttpStatus = 7,       // the status is not one of the expected ones
  kAssertionFailed = 8,  // a keyword or regex assertion on the body failed
  kTooLarge = 9,         // body or headers beyond their limit
  kProtocolError = 10,   // malformed or truncated response, reset, empty reply
  kRedirectLoop = 11,    // redirects loop or exceed the limit
};
inline constexpr int kOutcomeCount = 12;

std::string_view OutcomeName(Outcome o);

enum class TlsFailure : uint8_t {
  kNone = 0,
  kExpired,
  kNotYetValid,
  kSelfSigned,
  kUntrustedIssuer,
  kHostMismatch,
  kRevoked,
  kHandshake,  // protocol or cipher failure, no certificate verdict
};

std::string_view TlsFailureName(TlsFailure f);

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
  uint64_t token = 0;     // the submitter's id for the check
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

}  // namespace tocsin::probe
