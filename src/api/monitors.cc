#include "api/monitors.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace tocsin::api {
namespace {

nlohmann::json LatestJson(const model::LatestState& s) {
  return {{"ts_ms", s.ts_ms},
          {"outcome", model::OutcomeName(s.outcome)},
          {"status", s.status},
          {"total_us", s.total_us},
          {"detail", s.detail}};
}

// Text the user wrote may be any bytes; never throw on it.
std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json MonitorJson(const model::Monitor& m, const pipeline::LatestStates& latest) {
  nlohmann::json j = {{"id", m.id},
                      {"name", m.name},
                      {"url", m.url},
                      {"interval_s", m.interval / 1'000'000},
                      {"enabled", m.enabled}};
  if (auto s = latest.Find(m.id)) j["latest"] = LatestJson(*s);
  return j;
}

nlohmann::json IncidentJson(const model::Incident& inc,
                            const std::vector<store::OutboxRow>& notifications) {
  nlohmann::json sent = nlohmann::json::array();
  for (const auto& row : notifications) {
    static constexpr const char* kStates[] = {"pending", "delivered", "failed"};
    sent.push_back({{"channel", row.channel},
                    {"event", model::NoticeEventName(row.event)},
                    {"dedup_key", row.dedup_key},
                    {"state", kStates[static_cast<int>(row.state)]},
                    {"attempts", row.attempts},
                    {"created_ms", row.created_ms},
                    {"delivered_ms", row.delivered_ms},
                    {"last_error", row.last_error}});
  }
  return {{"id", inc.id},
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

// Incidents shown per monitor.
constexpr size_t kRecentIncidents = 20;

}  // namespace

std::vector<Route> MonitorRoutes(std::function<MonitorList()> monitors,
                                 const pipeline::LatestStates& latest, store::AlertStore& alerts) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/monitors", [monitors, &latest](const Request&) {
                      nlohmann::json list = nlohmann::json::array();
                      const MonitorList snapshot = monitors();
                      for (const model::Monitor& m : *snapshot) {
                        list.push_back(MonitorJson(m, latest));
                      }
                      return Response::Json(200, Dump(list));
                    }});
  routes.push_back(
      {"GET", "/api/v1/monitors/{id}", [monitors, &latest, &alerts](const Request& r) {
         const std::string_view text = r.param("id");
         model::MonitorId id = 0;
         const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
         const MonitorList snapshot = monitors();
         const auto m = std::find_if(snapshot->begin(), snapshot->end(),
                                     [&](const model::Monitor& x) { return x.id == id; });
         if (ec != std::errc() || ptr != text.data() + text.size() || m == snapshot->end()) {
           return Response::Json(404,
                                 R"({"error":{"code":"not_found","message":"no such monitor"}})");
         }
         nlohmann::json j = MonitorJson(*m, latest);
         auto incidents = alerts.ListIncidents(id, kRecentIncidents);
         if (!incidents.ok()) {
           return Response::Json(
               503, R"({"error":{"code":"unavailable","message":"the store did not answer"}})");
         }
         nlohmann::json list = nlohmann::json::array();
         for (const auto& inc : *incidents) {
           auto sent = alerts.NotificationsOf(inc.id);
           list.push_back(IncidentJson(inc, sent.ok() ? *sent : std::vector<store::OutboxRow>{}));
         }
         j["incidents"] = std::move(list);
         return Response::Json(200, Dump(j));
       }});
  return routes;
}

}  // namespace tocsin::api
