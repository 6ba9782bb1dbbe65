#include "api/routes.h"

#include "api/account_routes.h"
#include "api/ack.h"
#include "api/admin_routes.h"
#include "api/alert_settings.h"
#include "api/console.h"
#include "api/export.h"
#include "api/incidents.h"
#include "api/monitor_stats.h"
#include "api/notice_routes.h"
#include "api/openapi.h"
#include "api/ops.h"
#include "api/security_routes.h"
#include "api/status_pages.h"
#include "api/status_public.h"
#include "api/summary_routes.h"
#include "api/team_routes.h"
#include "api/traffic.h"

namespace tocsin::api {

Router AllRoutes(const RouteParts& p) {
  Router router;
  auto traffic = std::make_shared<Traffic>(NowMs());
  router.Add(OpsRoutes(*p.metrics));
  router.Add(OpenApiRoutes());
  router.Add(AccountRoutes(p.context));
  router.Add(SecurityRoutes(p.context));
  router.Add(TeamRoutes(p.context));
  router.Add(NoticeRoutes(p.context));
  router.Add(AdminRoutes(p.context, *p.catalog, traffic));
  router.Add(MonitorRoutes(p.context, *p.catalog, *p.latest));
  router.Add(MonitorStatsRoutes(p.context, *p.catalog));
  router.Add(IncidentRoutes(p.context, *p.alerts));
  router.Add(AlertSettingsRoutes(p.context, *p.catalog));
  router.Add(ExportRoutes(p.context, *p.catalog));
  router.Add(SummaryRoutes(p.context, *p.weekly));
  router.Add(StatusPageRoutes(p.context));
  auto pages = std::make_shared<StatusPageCache>(p.status_page_cache_ms);
  router.Add(StatusPublicRoutes(p.context, *p.latest, pages));
  router.Add(AckRoutes(p.ack_key, *p.alerts, p.context.store->alerts()));
  router.Add(ConsoleRoutes(p.context));
  // A status page's own host name answers its page at "/"; every other
  // path not routed is the console's.
  router.SetFallback([c = p.context, latest = p.latest, pages](const Request& r) {
    if (auto page = StatusPageOfHost(c, *latest, *pages, r)) return std::move(*page);
    return ConsoleFallback(r);
  });
  router.SetTraffic(std::move(traffic));
  return router;
}

}  // namespace tocsin::api
