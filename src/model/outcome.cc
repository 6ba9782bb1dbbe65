#include "model/outcome.h"

namespace tocsin::model {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kDnsError:
      return "dns_error";
    case Outcome::kBlockedAddress:
      return "blocked_address";
    case Outcome::kConnectRefused:
      return "connect_refused";
    case Outcome::kConnectTimeout:
      return "connect_timeout";
    case Outcome::kTlsError:
      return "tls_error";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kHttpStatus:
      return "http_status";
    case Outcome::kAssertionFailed:
      return "assertion_failed";
    case Outcome::kTooLarge:
      return "too_large";
    case Outcome::kProtocolError:
      return "protocol_error";
    case Outcome::kRedirectLoop:
      return "redirect_loop";
  }
  return "unknown";
}

std::optional<Outcome> OutcomeFromName(std::string_view name) {
  for (int i = 0; i < kOutcomeCount; ++i) {
    const auto o = static_cast<Outcome>(i);
    if (OutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

std::string_view TlsFailureName(TlsFailure f) {
  switch (f) {
    case TlsFailure::kNone:
      return "";
    case TlsFailure::kExpired:
      return "expired";
    case TlsFailure::kNotYetValid:
      return "not_yet_valid";
    case TlsFailure::kSelfSigned:
      return "self_signed";
    case TlsFailure::kUntrustedIssuer:
      return "untrusted_issuer";
    case TlsFailure::kHostMismatch:
      return "host_mismatch";
    case TlsFailure::kRevoked:
      return "revoked";
    case TlsFailure::kHandshake:
      return "handshake";
  }
  return "unknown";
}

}  // namespace tocsin::model
