// Teams and the contact address over the API: make a team, invite by
// email (a mailed link, accepted by the invited address), set roles,
// remove members or leave; change the address, confirmed by a link mailed
// to the new one.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

std::vector<Route> TeamRoutes(const ApiContext& context);

}  // namespace tocsin::api
