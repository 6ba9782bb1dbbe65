// Notices from the administrator to every user: by email (a service
// announcement, a privacy policy change, a security notice) and, when
// asked, as the console's banner, which anyone can read without a cookie.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

std::vector<Route> NoticeRoutes(const ApiContext& context);

}  // namespace tocsin::api
