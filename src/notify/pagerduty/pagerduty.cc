// PagerDuty Events API v2: an incident's notices map to trigger, acknowledge
// and resolve with one dedup key per incident, so PagerDuty's own incident
// follows Tocsin's. Certificate and flapping warnings trigger events of
// their own (severity warning); "settled" means nothing to a pager.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "notify/providers.h"

namespace tocsin::notify {
namespace {

constexpr const char* kDefaultUrl = "https://events.pagerduty.com/v2/enqueue";
constexpr size_t kMaxSummary = 1024;

class PagerDutyProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override {
    if (c.routing_key.empty()) {
      return InvalidField("routing_key", "a pagerduty channel needs 'routing_key'");
    }
    return ValidateHttpUrl(c.url, "url", /*required=*/false);
  }

  bool groups() const override { return false; }

  Result<Request> Build(const model::Channel& c, const Delivery& d, const Message& m,
                        const BuildContext&) const override {
    const nlohmann::json& n = d.notices.front();
    const std::string event = n.value("event", "");
    const nlohmann::json incident = n.value("incident", nlohmann::json::object());
    const nlohmann::json monitor = n.value("monitor", nlohmann::json::object());
    std::string action = "trigger";
    std::string dedup = "tocsin-" + d.id;
    if (incident.contains("id")) {
      dedup = "tocsin-incident-" + std::to_string(incident.value("id", int64_t{0}));
    }
    if (event == "resolved") {
      action = "resolve";
    } else if (event == "acknowledged") {
      action = "acknowledge";
    } else if (event == "settled") {
      return Request(std::monostate{});
    } else if (event == "certificate" || event == "flapping") {
      dedup = "tocsin-" + d.id;  // an alert of its own
    }
    nlohmann::json payload = {
        {"routing_key", c.routing_key}, {"event_action", action}, {"dedup_key", dedup}};
    if (action == "trigger") {
      const char* severity = m.severity == Severity::kCritical  ? "critical"
                             : m.severity == Severity::kWarning ? "warning"
                                                                : "info";
      payload["payload"] = {
          {"summary", std::string(Utf8Prefix(NoticeSummary(n), kMaxSummary))},
          // PagerDuty requires a source: a test notice has no monitor.
          {"source",
           monitor.value("url", "").empty() ? std::string("tocsin") : monitor.value("url", "")},
          {"severity", severity},
          {"timestamp",
           fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                       fmt::gmtime(static_cast<std::time_t>(n.value("at_ms", int64_t{0}) / 1000)))},
          {"component", monitor.value("name", "")},
          {"class", n.value("check", nlohmann::json::object()).value("outcome", "")},
          {"custom_details", n}};
      if (!m.link.empty()) payload["links"] = {{{"href", m.link}, {"text", "Monitor"}}};
    }
    HttpRequest r;
    r.url = c.url.empty() ? kDefaultUrl : c.url;
    r.headers = {"Content-Type: application/json"};
    r.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& PagerDutyProviderInstance() {
  static const PagerDutyProvider provider;
  return provider;
}

}  // namespace tocsin::notify
