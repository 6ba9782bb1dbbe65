#include "api/console.h"

#include <string>

#include "api/json.h"

namespace tocsin::api {
namespace {

// Scripts, styles and requests from this origin only; nothing inline, no
// frame, no plug-in, no form posting elsewhere.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

const ConsoleFile* Find(std::string_view path) {
  for (const ConsoleFile& f : ConsoleFiles()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool AcceptsGzip(const Request& r) {
  const std::string_view accept = r.header("Accept-Encoding").value_or("");
  return accept.find("gzip") != std::string_view::npos;
}

Response Serve(const ConsoleFile& f, const Request& r, bool immutable) {
  Response out;
  out.status = 200;
  out.content_type = std::string(f.content_type);
  if (AcceptsGzip(r)) {
    out.body = std::string(f.gzip);
    out.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    out.body = std::string(f.body);
  }
  out.headers.emplace_back("Vary", "Accept-Encoding");
  out.headers.emplace_back("Cache-Control",
                           immutable ? "public, max-age=31536000, immutable" : "no-cache");
  out.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  out.headers.emplace_back("Referrer-Policy", "no-referrer");
  out.headers.emplace_back("X-Frame-Options", "DENY");
  return out;
}

}  // namespace

Response ConsoleFallback(const Request& r) {
  if (r.path.starts_with("/assets/")) {
    if (const ConsoleFile* f = Find(r.path)) return Serve(*f, r, true);
    return Response::Text(404, "not found\n");
  }
  // A view of the console ("/monitors/12"), not a file: the page. A path
  // whose last segment looks like a file name ("/favicon.ico") is not one.
  const std::string_view last = std::string_view(r.path).substr(r.path.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) return Response::Text(404, "not found\n");
  const ConsoleFile* page = Find("/index.html");
  if (page == nullptr) return Response::Text(404, "not found\n");
  return Serve(*page, r, false);
}

std::vector<Route> ConsoleRoutes(const ApiContext& c) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/server", [c](const Request&) {
                      TOCSIN_TRY(users, c.store->accounts().CountUsers());
                      TOCSIN_TRY(mode, c.store->accounts().GetSetting("registration", "open"));
                      return JsonResponse(200, {{"first_run", *users == 0},
                                                {"registration", *mode},
                                                {"mail", MailGoesToTheDrop(c) ? "drop" : "smtp"}});
                    }});
  return routes;
}

}  // namespace tocsin::api
