// The account routes: register, confirm the address, log in and out,
// the profile, password change and reset, API tokens, terminate. JSON under
// /api/v1; the links mailed to users (/confirm/{token}, /reset/{token}) are
// small pages whose GET only shows a button or a form (mail scanners fetch
// links) and whose POST acts.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

// `context`'s accounts and store must outlive the routes.
std::vector<Route> AccountRoutes(const ApiContext& context);

}  // namespace tocsin::api
