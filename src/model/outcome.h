// How a check ended. The closed set every module speaks: the probe produces
// it, the store keeps it, the alert evaluator and the API read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::model {

// Values are stored and sent over the wire: append only, never renumber.
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

// "ok", "dns_error", ...: the names users see in the CLI, the API and mails.
std::string_view OutcomeName(Outcome o);
std::optional<Outcome> OutcomeFromName(std::string_view name);

// Which TLS verdict a kTlsError carries. Stored: append only.
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
inline constexpr int kTlsFailureCount = 8;

std::string_view TlsFailureName(TlsFailure f);  // "" for kNone

}  // namespace tocsin::model
