// The account's security over the API: its sessions (list, end one, end
// the others) and its second factor (set up TOTP, confirm it, turn it off,
// renew the recovery codes).
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

std::vector<Route> SecurityRoutes(const ApiContext& context);

}  // namespace tocsin::api
