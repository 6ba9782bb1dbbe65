// Every route the server answers, assembled in one place: the server mounts
// this router, and the test that keeps docs/openapi.json true reads it.
#pragma once

#include <string>

#include "alert/engine.h"
#include "api/auth.h"
#include "api/http.h"
#include "api/monitors.h"
#include "core/metrics.h"
#include "pipeline/latest_states.h"
#include "report/weekly_job.h"

namespace tocsin::api {

struct RouteParts {
  ApiContext context;
  MonitorCatalog* catalog = nullptr;
  const pipeline::LatestStates* latest = nullptr;
  alert::AlertEngine* alerts = nullptr;
  std::string ack_key;  // verifies acknowledgement links
  const core::Registry* metrics = nullptr;
  report::WeeklyJob* weekly = nullptr;    // the weekly summary's routes
  int64_t status_page_cache_ms = 10'000;  // server.status_page_cache
};

// Everything in `parts` must outlive the router.
Router AllRoutes(const RouteParts& parts);

}  // namespace tocsin::api
