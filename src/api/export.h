// GET /api/v1/account/export: everything Tocsin holds about the caller, as
// one JSON file: the profile, sessions and tokens (without secrets), the
// workspaces and their members, and for each workspace the caller owns its
// monitors with their incidents, notifications and raw results within
// retention.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "api/monitors.h"

namespace tocsin::api {

std::vector<Route> ExportRoutes(const ApiContext& context, MonitorCatalog& catalog);

}  // namespace tocsin::api
