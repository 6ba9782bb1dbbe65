// The public side of status pages: the page itself (server-rendered HTML
// with no script and no cookie, showing only what its owner chose), SVG
// badges of its monitors (status, uptime, response time; cacheable), and
// visitors' email subscriptions (double opt-in, one-click unsubscribe).
// A page with a host name also answers at that host's "/".
#pragma once

#include <optional>
#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "pipeline/latest_states.h"

namespace tocsin::api {

std::vector<Route> StatusPublicRoutes(const ApiContext& context,
                                      const pipeline::LatestStates& latest);

// The status page whose host name the request's Host header names, for a
// GET of "/"; nullopt for any other request (the console answers it).
std::optional<Response> StatusPageOfHost(const ApiContext& context,
                                         const pipeline::LatestStates& latest, const Request& r);

}  // namespace tocsin::api
