// The alert settings API of a workspace, what the console's Configure
// Service page edits: notification channels (with "send a test
// notification" and its outcome), the workspace's default alert policy,
// and maintenance windows. A monitor's own overrides ride on the monitor
// ("alerts" in api/monitors.cc). Members see them; editors and owners
// change them; what the caller may not see answers 404.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "api/monitors.h"
#include "model/alerting.h"

namespace tocsin::api {

// Whether `name` is a channel of `workspace`, for references in policies.
Status CheckChannelNames(const ApiContext& context, model::WorkspaceId workspace,
                         const model::AlertPolicy& policy);

std::vector<Route> AlertSettingsRoutes(const ApiContext& context, MonitorCatalog& catalog);

}  // namespace tocsin::api
