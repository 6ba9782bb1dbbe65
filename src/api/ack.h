// The acknowledgement links every alert carries: /ack/{token}. GET shows
// what would be acknowledged and a button (mail scanners that fetch links
// must not acknowledge anything); POST acknowledges. No login: the signed
// token is the permission, for one incident, until it expires.
#pragma once

#include <string>
#include <vector>

#include "alert/engine.h"
#include "api/http.h"
#include "store/alerts.h"

namespace tocsin::api {

// `key` verifies tokens (notify::MakeAckToken's); `alerts` and `incidents`
// must outlive the routes.
std::vector<Route> AckRoutes(std::string key, alert::AlertEngine& alerts,
                             store::AlertStore& incidents);

}  // namespace tocsin::api
