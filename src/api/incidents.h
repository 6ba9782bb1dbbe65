// The incidents API: GET /api/v1/incidents (the caller's workspaces, newest
// first, paged by before_id), GET /api/v1/incidents/{id} with the
// notifications sent, POST /api/v1/incidents/{id}/ack (what an alert's
// acknowledgement link does, for a logged-in editor).
#pragma once

#include <vector>

#include "alert/engine.h"
#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

// `alerts` and the context's parts must outlive the routes.
std::vector<Route> IncidentRoutes(const ApiContext& context, alert::AlertEngine& alerts);

}  // namespace tocsin::api
