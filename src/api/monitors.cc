#include "api/monitors.h"

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

}  // namespace

std::vector<Route> MonitorRoutes(std::function<MonitorList()> monitors,
                                 const pipeline::LatestStates& latest) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/monitors", [monitors, &latest](const Request&) {
                      nlohmann::json list = nlohmann::json::array();
                      const MonitorList snapshot = monitors();
                      for (const model::Monitor& m : *snapshot) {
                        nlohmann::json j = {{"id", m.id},
                                            {"name", m.name},
                                            {"url", m.url},
                                            {"interval_s", m.interval / 1'000'000},
                                            {"enabled", m.enabled}};
                        if (auto s = latest.Find(m.id)) j["latest"] = LatestJson(*s);
                        list.push_back(std::move(j));
                      }
                      // Text the user wrote may be any bytes; never throw on it.
                      return Response::Json(
                          200, list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
                    }});
  return routes;
}

}  // namespace tocsin::api
