// The monitors API: GET /api/v1/monitors lists the running monitors with
// their latest result; GET /api/v1/monitors/{id} is one monitor with its
// recent incidents and the notifications sent for each (where alerts link).
// (The full REST API grows here: accounts issue.)
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "api/http.h"
#include "model/monitor.h"
#include "pipeline/latest_states.h"
#include "store/alerts.h"

namespace tocsin::api {

// The monitors running now, as one immutable snapshot.
using MonitorList = std::shared_ptr<const std::vector<model::Monitor>>;

// `monitors` is called per request; `latest` and `alerts` must outlive
// the routes.
std::vector<Route> MonitorRoutes(std::function<MonitorList()> monitors,
                                 const pipeline::LatestStates& latest, store::AlertStore& alerts);

}  // namespace tocsin::api
