// The monitors API: GET /api/v1/monitors lists the running monitors with
// their latest result. (The full REST API grows here: accounts issue.)
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "api/http.h"
#include "model/monitor.h"
#include "pipeline/latest_states.h"

namespace tocsin::api {

// The monitors running now, as one immutable snapshot.
using MonitorList = std::shared_ptr<const std::vector<model::Monitor>>;

// `monitors` is called per request; `latest` must outlive the routes.
std::vector<Route> MonitorRoutes(std::function<MonitorList()> monitors,
                                 const pipeline::LatestStates& latest);

}  // namespace tocsin::api
