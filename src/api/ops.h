// Operational endpoints: /healthz for load balancers and supervisors,
// /metrics for Prometheus.
#pragma once

#include <vector>

#include "api/http.h"
#include "core/metrics.h"

namespace tocsin::api {

// `metrics` must outlive the routes.
std::vector<Route> OpsRoutes(const core::Registry& metrics);

}  // namespace tocsin::api
