#include "alert/notice_json.h"

#include <nlohmann/json.hpp>

namespace tocsin::alert {

std::string NoticeToJson(const model::Notice& n,
                         const std::function<const MonitorRules*(model::MonitorId)>& rules_of) {
  const MonitorRules* rules = rules_of(n.monitor);
  const model::CheckRecord& c = n.check;
  nlohmann::json j = {
      {"version", kNoticeFormatVersion},
      {"event", model::NoticeEventName(n.event)},
      {"monitor",
       {{"id", n.monitor},
        {"name", rules != nullptr ? rules->name : "monitor " + std::to_string(n.monitor)},
        {"url", rules != nullptr ? rules->url : ""}}},
      {"health", model::HealthName(n.health)},
      {"at_ms", n.at_ms},
      {"sequence", n.sequence},
      {"check",
       {{"ts_ms", c.ts_ms},
        {"location", c.location},
        {"outcome", model::OutcomeName(c.outcome)},
        {"tls_failure", model::TlsFailureName(c.tls_failure)},
        {"status", c.status},
        {"ip", c.ip},
        {"detail", c.detail},
        {"cert_not_after", c.cert_not_after},
        {"timings_us",
         {{"dns", c.dns_us},
          {"connect", c.connect_us},
          {"tls", c.tls_us},
          {"ttfb", c.ttfb_us},
          {"download", c.download_us},
          {"redirect", c.redirect_us},
          {"response", c.response_us()},
          {"total", c.total_us}}}}},
  };
  if (n.incident_id != 0) {
    j["incident"] = {{"id", n.incident_id},
                     {"kind", model::IncidentKindName(n.kind)},
                     {"since_ms", n.since_ms},
                     {"acked_by", n.acked_by}};
  }
  nlohmann::json affected = nlohmann::json::array();
  for (model::MonitorId id : n.also_affected) {
    const MonitorRules* r = rules_of(id);
    affected.push_back({{"id", id}, {"name", r != nullptr ? r->name : std::to_string(id)}});
  }
  j["also_affected"] = std::move(affected);
  // Names and details are user text: any bytes. Never throw on them.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tocsin::alert
