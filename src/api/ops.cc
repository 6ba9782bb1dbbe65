#include "api/ops.h"

namespace tocsin::api {

std::vector<Route> OpsRoutes(const core::Registry& metrics) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/healthz", [](const Request&) { return Response::Text(200, "ok\n"); }});
  routes.push_back({"GET", "/metrics", [&metrics](const Request&) {
                      Response r = Response::Text(200, metrics.RenderText());
                      r.content_type = std::string(core::kPrometheusTextContentType);
                      return r;
                    }});
  return routes;
}

}  // namespace tocsin::api
