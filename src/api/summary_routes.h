// The weekly summary over the API and its mailed link: a preview of the
// caller's, "send it to me now", and the one-click unsubscribe page
// (RFC 8058: a GET shows a button, a POST unsubscribes, no login).
#pragma once

#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "report/weekly_job.h"

namespace tocsin::api {

std::vector<Route> SummaryRoutes(const ApiContext& context, report::WeeklyJob& weekly);

}  // namespace tocsin::api
