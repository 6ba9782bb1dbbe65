// libFuzzer target: the API's request parsing never crashes and keeps its
// word. The input is a request as a client could send it:
//   METHOD TARGET\n
//   Header: value\n ...
//   \n
//   body
// and goes through what every route uses: the strict JSON body reader (a
// success is an object, its unknown fields are reported by name), query
// parameters, cookies, path ids and form bodies, and the Router's matching.
#include <cstdint>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/html.h"
#include "api/http.h"
#include "api/json.h"

namespace {

using tocsin::api::Request;

Request Parse(std::string_view text) {
  Request r;
  const size_t line_end = text.find('\n');
  const std::string_view line = text.substr(0, line_end);
  const size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(line.substr(space + 1));
  const size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  std::string_view rest = line_end == std::string_view::npos ? "" : text.substr(line_end + 1);
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view header = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    if (header.empty()) break;
    const size_t colon = header.find(':');
    r.headers.emplace_back(
        std::string(header.substr(0, colon)),
        colon == std::string_view::npos ? "" : std::string(header.substr(colon + 1)));
  }
  r.body = std::string(rest);
  r.remote_address = "127.0.0.1:1";
  return r;
}

const tocsin::api::Router& Routes() {
  static const tocsin::api::Router router = [] {
    tocsin::api::Router r;
    auto ok = [](const Request&) { return tocsin::api::Response::Text(200, ""); };
    for (const char* path : {"/api/v1/monitors", "/api/v1/monitors/{id}",
                             "/api/v1/monitors/{id}/results", "/ack/{token}", "/confirm/{token}"}) {
      r.Get(path, ok);
      r.Post(path, ok);
    }
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Request r = Parse(std::string_view(reinterpret_cast<const char*>(data), size));

  auto body = tocsin::api::ParseJsonObject(r);
  if (body.ok()) {
    if (!body->is_object()) __builtin_trap();
    tocsin::api::Fields f(*body);
    (void)f.String("name");
    (void)f.Bool("enabled");
    (void)f.Int("interval_s", 10, 86'400);
    (void)f.Raw("check");
    auto done = f.Finish();
    if (!done.ok() && !body->contains(done.error().field)) __builtin_trap();
    const tocsin::api::Response e =
        tocsin::api::ErrorResponse(done.ok() ? tocsin::Error{} : done.error());
    if (e.status < 400 || e.status > 599) __builtin_trap();
  }

  (void)tocsin::api::QueryParam(r, "limit");
  auto n = tocsin::api::QueryInt(r, "limit", 1, 10'000);
  if (n.ok() && *n && (**n < 1 || **n > 10'000)) __builtin_trap();

  if (auto cookie = tocsin::api::CookieValue(r, "tocsin_session")) {
    if (cookie->find(';') != std::string::npos) __builtin_trap();
  }
  (void)tocsin::api::ClientAddress(r);
  (void)tocsin::api::ParseForm(r.body);

  int64_t id = 0;
  if (tocsin::api::ParseId(r.path.substr(r.path.rfind('/') + 1), &id)) {
    if (id <= 0 || std::to_string(id) != r.path.substr(r.path.rfind('/') + 1)) __builtin_trap();
  }
  const tocsin::api::Response routed = Routes().Dispatch(r);
  if (routed.status != 200 && routed.status != 404 && routed.status != 405) __builtin_trap();
  return 0;
}
