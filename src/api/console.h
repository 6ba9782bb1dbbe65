// The console in the browser (console/, built by Vite and embedded at build
// time): its files, served with a strict Content-Security-Policy, and the
// one public route it reads before anyone logs in.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "api/http.h"

namespace tocsin::api {

struct ConsoleFile {
  std::string_view path;  // "/index.html", "/assets/index-1a2b3c.js"
  std::string_view content_type;
  std::string_view body;
  std::string_view gzip;  // the same, gzip-compressed
};

// Every file of the console's build (generated: cmake/embed_console.py).
std::span<const ConsoleFile> ConsoleFiles();

// What the router answers for a GET outside every route and outside /api/:
// a file under /assets/ (cached for good: its name carries its hash), or
// the console's page for any other path (its router picks the view), or
// 404 for a path that names a missing file.
Response ConsoleFallback(const Request& request);

// GET /api/v1/server: what the console needs before a login (is this a new
// server with no user yet, is registration open, does mail go out by SMTP
// or to the local mail drop).
std::vector<Route> ConsoleRoutes(const ApiContext& context);

}  // namespace tocsin::api
