#include "probe/check_result.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace tocsin::probe {

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

namespace {
uint32_t ClampU32(int64_t v) {
  return static_cast<uint32_t>(std::clamp<int64_t>(v, 0, UINT32_MAX));
}
}  // namespace

model::CheckRecord ToRecord(const CheckResult& r, model::LocationId location) {
  model::CheckRecord c;
  c.monitor = r.job.monitor;
  c.location = location;
  c.ts_ms = r.started_at / 1000;
  c.outcome = r.outcome;
  c.tls_failure = r.tls_failure;
  c.status = r.http_status;
  c.http_version = r.http_version;
  if (r.ip.valid()) c.ip = r.ip.ToString();
  c.dns_us = ClampU32(r.timings.dns);
  c.connect_us = ClampU32(r.timings.connect);
  c.tls_us = ClampU32(r.timings.tls);
  c.ttfb_us = ClampU32(r.timings.ttfb);
  c.download_us = ClampU32(r.timings.download);
  c.redirect_us = ClampU32(r.timings.redirect);
  c.total_us = ClampU32(r.timings.total);
  c.bytes = ClampU32(static_cast<int64_t>(r.bytes));
  if (r.certificate) c.cert_not_after = r.certificate->not_after;
  c.detail = std::string(Utf8Prefix(r.detail, model::kMaxDetailBytes));
  return c;
}

}  // namespace tocsin::probe
