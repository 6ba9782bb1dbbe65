// The administrator's view of the users: who they are (name, address,
// confirmed, second factor, administrator, disabled) and disabling or
// enabling one, as `tocsin admin list-users` and `disable-user` do; and
// the SMTP server when the config file sets none; the privacy policy the
// operator publishes (Tocsin ships a default).
#pragma once

#include <memory>
#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "api/monitors.h"
#include "api/traffic.h"

namespace tocsin::api {

// `catalog` queues the SMTP test mail; it must outlive the routes.
// `traffic` is what the router counts (GET /api/v1/admin/traffic).
std::vector<Route> AdminRoutes(const ApiContext& context, MonitorCatalog& catalog,
                               std::shared_ptr<const Traffic> traffic);

}  // namespace tocsin::api
