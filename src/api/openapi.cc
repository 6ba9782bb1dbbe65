#include "api/openapi.h"

namespace tocsin::api {

std::vector<Route> OpenApiRoutes() {
  return {{"GET", "/api/v1/openapi.json", [](const Request&) {
             Response r = Response::Json(200, std::string(OpenApiDocument()));
             r.headers.emplace_back("Cache-Control", "public, max-age=300");
             return r;
           }}};
}

}  // namespace tocsin::api
