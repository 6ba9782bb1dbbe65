#include "probe/check_result.h"

#include <nlohmann/json.hpp>

namespace tocsin::probe {

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

std::string_view HttpVersionName(uint8_t version) {
  switch (version) {
    case 10:
      return "1.0";
    case 11:
      return "1.1";
    case 20:
      return "2";
    case 30:
      return "3";
    default:
      return "";
  }
}

nlohmann::json ResultToJson(const CheckResult& r) {
  nlohmann::json j = {
      {"started_at_us", r.started_at},
      {"outcome", OutcomeName(r.outcome)},
      {"ok", r.ok()},
      {"url", r.url},
      {"host", r.host},
      {"ip", r.ip.valid() ? r.ip.ToString() : ""},
      {"http_version", HttpVersionName(r.http_version)},
      {"status", r.http_status},
      {"redirects", r.redirects},
      {"bytes", r.bytes},
      {"body_bytes", r.body_bytes},
      {"header_bytes", r.header_bytes},
      {"dns_cached", r.dns_cached},
      {"timings_us",
       {{"dns", r.timings.dns},
        {"connect", r.timings.connect},
        {"tls", r.timings.tls},
        {"ttfb", r.timings.ttfb},
        {"download", r.timings.download},
        {"redirect", r.timings.redirect},
        {"response", r.timings.response()},
        {"total", r.timings.total}}},
  };
  if (!r.detail.empty()) j["detail"] = r.detail;
  if (r.tls_failure != TlsFailure::kNone) j["tls_failure"] = TlsFailureName(r.tls_failure);
  if (r.certificate) {
    j["certificate"] = {{"subject", r.certificate->subject},
                        {"issuer", r.certificate->issuer},
                        {"not_before", r.certificate->not_before},
                        {"not_after", r.certificate->not_after}};
  }
  return j;
}

}  // namespace tocsin::probe
