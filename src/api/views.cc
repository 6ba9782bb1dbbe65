#include "api/views.h"

namespace tocsin::api {

nlohmann::json LatestJson(const model::LatestState& s) {
  return {{"ts_ms", s.ts_ms},
          {"outcome", model::OutcomeName(s.outcome)},
          {"status", s.status},
          {"total_us", s.total_us},
          {"detail", s.detail}};
}

nlohmann::json MonitorJson(const model::Monitor& m, const pipeline::LatestStates& latest) {
  const bool file = m.workspace == model::kFileWorkspace;
  nlohmann::json j = {{"id", m.id},
                      {"workspace_id", file ? nlohmann::json() : nlohmann::json(m.workspace)},
                      {"managed_by", file ? "file" : "api"},
                      {"name", m.name},
                      {"url", m.url},
                      {"interval_s", m.interval / 1'000'000},
                      {"enabled", m.enabled},
                      {"tags", m.tags}};
  if (auto s = latest.Find(m.id)) j["latest"] = LatestJson(*s);
  return j;
}

std::vector<std::string> TagsOf(const nlohmann::json& settings) {
  std::vector<std::string> tags;
  const auto it = settings.find("tags");
  if (it == settings.end() || !it->is_array()) return tags;
  for (const auto& t : *it) {
    if (t.is_string()) tags.push_back(t.get<std::string>());
  }
  return tags;
}

model::MonitorId DependsOn(const nlohmann::json& settings) {
  if (!settings.is_object()) return 0;
  const auto it = settings.find("depends_on");
  if (it == settings.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) return 0;
  return static_cast<model::MonitorId>(it->get<int64_t>());
}

nlohmann::json ResultJson(const model::CheckRecord& r) {
  nlohmann::json j = {{"ts_ms", r.ts_ms},
                      {"location", r.location},
                      {"outcome", model::OutcomeName(r.outcome)},
                      {"status", r.status},
                      {"ip", r.ip},
                      {"dns_us", r.dns_us},
                      {"connect_us", r.connect_us},
                      {"tls_us", r.tls_us},
                      {"ttfb_us", r.ttfb_us},
                      {"download_us", r.download_us},
                      {"redirect_us", r.redirect_us},
                      {"total_us", r.total_us},
                      {"bytes", r.bytes},
                      {"detail", r.detail},
                      {"in_maintenance", r.in_maintenance}};
  if (r.http_version != 0) j["http_version"] = r.http_version;
  if (r.cert_not_after != 0) j["cert_not_after_s"] = r.cert_not_after;
  if (r.tls_failure != model::TlsFailure::kNone) {
    j["tls_failure"] = model::TlsFailureName(r.tls_failure);
  }
  return j;
}

namespace {

// The mean of each phase, named as a check result names them; null when no
// check of the range kept its phases.
nlohmann::json PhasesJson(const store::RangeSummary& s) {
  if (s.phased == 0) return nullptr;
  using store::Phase;
  const auto mean = [&](Phase p) { return s.phase_mean_us[static_cast<size_t>(p)]; };
  return {{"checks", s.phased},
          {"dns_us", mean(Phase::kDns)},
          {"connect_us", mean(Phase::kConnect)},
          {"tls_us", mean(Phase::kTls)},
          {"ttfb_us", mean(Phase::kFirstByte)},
          {"download_us", mean(Phase::kDownload)}};
}

}  // namespace

nlohmann::json SummaryJson(const store::RangeSummary& s) {
  const double availability =
      s.count == 0 ? 0.0 : 100.0 * static_cast<double>(s.count - s.failures) / s.count;
  return {{"count", s.count},
          {"failures", s.failures},
          {"availability_percent", s.count == 0 ? nlohmann::json() : nlohmann::json(availability)},
          {"min_us", s.min_us},
          {"max_us", s.max_us},
          {"mean_us", s.mean_us},
          {"p50_us", s.p50_us},
          {"p95_us", s.p95_us},
          {"p99_us", s.p99_us},
          {"phases_mean_us", PhasesJson(s)}};
}

nlohmann::json NotificationJson(const store::OutboxRow& row) {
  static constexpr const char* kStates[] = {"pending", "delivered", "failed"};
  return {{"channel", row.channel},           {"event", model::NoticeEventName(row.event)},
          {"dedup_key", row.dedup_key},       {"state", kStates[static_cast<int>(row.state)]},
          {"attempts", row.attempts},         {"created_ms", row.created_ms},
          {"delivered_ms", row.delivered_ms}, {"last_error", row.last_error}};
}

nlohmann::json IncidentJson(const model::Incident& inc,
                            const std::vector<store::OutboxRow>& notifications) {
  nlohmann::json sent = nlohmann::json::array();
  for (const auto& row : notifications) sent.push_back(NotificationJson(row));
  return {{"id", inc.id},
          {"monitor_id", inc.monitor},
          {"kind", model::IncidentKindName(inc.kind)},
          {"started_ms", inc.started_ms},
          {"confirmed_ms", inc.confirmed_ms},
          {"ended_ms", inc.ended_ms},
          {"cause",
           {{"outcome", model::OutcomeName(inc.cause.outcome)},
            {"detail", inc.cause.detail},
            {"status", inc.cause.status},
            {"ip", inc.cause.ip},
            {"total_us", inc.cause.total_us}}},
          {"confirmations", inc.confirmations.size()},
          {"acked_ms", inc.acked_ms},
          {"acked_by", inc.acked_by},
          {"held", inc.held},
          {"notifications", sent}};
}

}  // namespace tocsin::api
