// Status pages over the API: publish a page for a chosen group of a
// workspace's monitors (a slug, an optional host name, what to show), post
// incidents and their updates on it (subscribers get each by mail), list
// and delete. The public side (the page, badges, subscriptions) is
// api/status_public.h.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "model/alerting.h"

namespace tocsin::api {

std::vector<Route> StatusPageRoutes(const ApiContext& context);

// Mails every confirmed subscriber of the page about a post's latest
// update, through the outbox (one row per subscriber and update).
Status NotifySubscribers(const ApiContext& c, const store::StatusPageRecord& page,
                         const store::StatusPostRecord& post);

// Mails the confirmed subscribers of the workspace's pages that show a
// monitor the new window covers, when it next opens within a month.
Status NotifyMaintenance(const ApiContext& c, model::WorkspaceId workspace,
                         const model::MaintenanceWindow& window, int64_t window_id, int64_t now_ms);

}  // namespace tocsin::api
