// GET /api/v1/monitors/stats?ids=: for the monitors a list shows, their
// uptime over 24 hours, 7 and 30 days, their p95 over 24 hours and a
// sparkline (the median of each of the last 24 hours), from the rollups.
// The console asks for the rows on screen only, so a list of 10,000
// monitors costs what its visible rows cost.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "api/monitors.h"

namespace tocsin::api {

std::vector<Route> MonitorStatsRoutes(const ApiContext& context, MonitorCatalog& catalog);

}  // namespace tocsin::api
