// The API document: OpenAPI 3.1, written in docs/openapi.json and built
// into the binary. api/openapi_test.cc keeps it true: every route the
// server has is in it and every route in it exists.
#pragma once

#include <string_view>
#include <vector>

#include "api/http.h"

namespace tocsin::api {

std::string_view OpenApiDocument();  // generated from docs/openapi.json

// GET /api/v1/openapi.json
std::vector<Route> OpenApiRoutes();

}  // namespace tocsin::api
