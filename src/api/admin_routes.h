// The administrator's view of the users: who they are (name, address,
// confirmed, second factor, administrator, disabled) and disabling or
// enabling one, as `tocsin admin list-users` and `disable-user` do; and
// the privacy policy the operator publishes (Tocsin ships a default).
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

std::vector<Route> AdminRoutes(const ApiContext& context);

}  // namespace tocsin::api
