// Status pages over the API: publish a page for a chosen group of a
// workspace's monitors (a slug, an optional host name, what to show), post
// incidents and their updates on it (subscribers get each by mail), list
// and delete. The public side (the page, badges, subscriptions) is
// api/status_public.h.
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

std::vector<Route> StatusPageRoutes(const ApiContext& context);

// Mails every confirmed subscriber of the page about a post's latest
// update, through the outbox (one row per subscriber and update).
Status NotifySubscribers(const ApiContext& c, const store::StatusPageRecord& page,
                         const store::StatusPostRecord& post);

}  // namespace tocsin::api
