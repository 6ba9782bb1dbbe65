#include "api/incidents.h"

#include <algorithm>

#include "api/json.h"
#include "api/views.h"

namespace tocsin::api {
namespace {

constexpr int64_t kMaxPage = 200;
constexpr int64_t kDefaultPage = 50;

nlohmann::json WithNotifications(store::AlertStore& alerts, const model::Incident& inc) {
  auto sent = alerts.NotificationsOf(inc.id);
  return IncidentJson(inc, sent.ok() ? *sent : std::vector<store::OutboxRow>{});
}

// The incident a path names, with the caller's role in its monitor's
// workspace; 404 for one the caller may not see.
Result<std::pair<model::Incident, model::Role>> IncidentOf(const ApiContext& c, const Request& r,
                                                           const account::Principal& p) {
  int64_t id = 0;
  if (!ParseId(r.param("id"), &id)) return NotFound("no such incident");
  auto inc = c.store->alerts().GetIncident(id);
  if (!inc.ok()) return inc.error();
  if (!*inc) return NotFound("no such incident");
  auto monitor = c.store->monitors().GetMonitor((*inc)->monitor);
  if (!monitor.ok()) return monitor.error();
  if (!*monitor) return NotFound("no such incident");
  auto role = WorkspaceRole(c, p, (*monitor)->workspace);
  if (!role.ok()) {
    if (role.error().code == ErrorCode::kPermissionDenied) return NotFound("no such incident");
    return role.error();
  }
  // Administrators answer for the file's monitors: they may acknowledge.
  const model::Role acting =
      (*monitor)->workspace == model::kFileWorkspace ? model::Role::kEditor : *role;
  return std::make_pair(std::move(**inc), acting);
}

}  // namespace

std::vector<Route> IncidentRoutes(const ApiContext& c, alert::AlertEngine& alerts) {
  alert::AlertEngine* engine = &alerts;
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/api/v1/incidents", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_TRY(visible, VisibleWorkspaces(c, p));
         TOCSIN_TRY(only, QueryInt(r, "workspace_id", 0, INT64_MAX));
         TOCSIN_TRY(before, QueryInt(r, "before_id", 1, INT64_MAX));
         TOCSIN_TRY(limit, QueryInt(r, "limit", 1, kMaxPage));
         std::vector<model::WorkspaceId> shown = *visible;
         if (*only) {
           if (std::find(shown.begin(), shown.end(), **only) == shown.end()) {
             return ErrorResponse(PermissionDenied("not a member of this workspace"));
           }
           shown = {**only};
         }
         const auto page = static_cast<size_t>(limit->value_or(kDefaultPage));
         TOCSIN_TRY(incidents,
                    c.store->alerts().WorkspaceIncidents(shown, before->value_or(0), page));
         nlohmann::json list = nlohmann::json::array();
         for (const auto& inc : *incidents)
           list.push_back(WithNotifications(c.store->alerts(), inc));
         nlohmann::json j = {{"incidents", std::move(list)}, {"next_before_id", nullptr}};
         if (incidents->size() == page) j["next_before_id"] = incidents->back().id;
         return JsonResponse(200, j);
       })});
  routes.push_back({"GET", "/api/v1/incidents/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(found, IncidentOf(c, r, p));
                      return JsonResponse(200, WithNotifications(c.store->alerts(), found->first));
                    })});
  routes.push_back({"POST", "/api/v1/incidents/{id}/ack",
                    Authed(c, [c, engine](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(found, IncidentOf(c, r, p));
                      if (found->second == model::Role::kViewer) {
                        return ErrorResponse(
                            PermissionDenied("a viewer cannot acknowledge incidents"));
                      }
                      if (found->first.ended_ms != 0) {
                        return ErrorResponse(Error{ErrorCode::kConflict, "this incident is over"});
                      }
                      TOCSIN_TRY(answer, engine->Acknowledge(found->first.id, p.user.name));
                      auto inc = c.store->alerts().GetIncident(found->first.id);
                      nlohmann::json j = {{"message", *answer}};
                      if (inc.ok() && *inc)
                        j["incident"] = WithNotifications(c.store->alerts(), **inc);
                      return JsonResponse(200, j);
                    })});
  return routes;
}

}  // namespace tocsin::api
