// The API's view of HTTP: a request, a response, and the Router that maps
// (method, exact path) to a handler. Transport-free, so the API is written
// and tested without a socket; web/ carries these over Beast.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::api {

class Traffic;

struct Request {
  std::string method;  // "GET", as sent (methods are case-sensitive)
  std::string target;  // the request target as sent: "/metrics?x=1"
  std::string path;    // target before '?', not percent-decoded: "/metrics"
  std::string query;   // target after '?', raw, without the '?'; empty if none
  std::vector<std::pair<std::string, std::string>> headers;  // in the order sent
  std::string body;
  std::string remote_address;  // the peer, "IP:PORT" ("[v6]:PORT")
  // The route's {placeholders}, by name, as they were in the path (not
  // percent-decoded): "/ack/{token}" -> params["token"].
  std::map<std::string, std::string, std::less<>> params;

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Added to the response as given. The server adds Server: tocsin, Date,
  // Content-Type, Content-Length, Connection, and "Cache-Control: no-store"
  // unless a Cache-Control is given here (e.g. for static assets). It never
  // adds cookies.
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
  // application/json; `body` is already serialised.
  static Response Json(int status, std::string body);
};

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;
  std::string path;
  Handler handler;
};

// Routes by (method, path). A path is exact ("/metrics") or has whole
// segments in braces ("/api/v1/monitors/{id}") that match any one non-empty
// segment and land in Request::params; exact paths win. Unknown path: 404;
// known path, other method: 405 with an Allow header. A GET route also
// answers HEAD (same headers, no body) unless HEAD has its own route.
class Router {
 public:
  // Throws std::logic_error on a duplicate (method, path), a path not
  // starting with '/', an empty method or an empty handler: routes are
  // fixed at start-up, so these are programming errors.
  Router& Add(std::string method, std::string path, Handler handler);
  Router& Add(Route route) {
    return Add(std::move(route.method), std::move(route.path), std::move(route.handler));
  }
  Router& Add(std::vector<Route> routes) {
    for (Route& r : routes) Add(std::move(r));
    return *this;
  }
  Router& Get(std::string path, Handler handler) {
    return Add("GET", std::move(path), std::move(handler));
  }
  Router& Post(std::string path, Handler handler) {
    return Add("POST", std::move(path), std::move(handler));
  }

  // Answers GET and HEAD requests outside /api/ that no route matches (the
  // console's files and views), instead of 404.
  Router& SetFallback(Handler handler) {
    fallback_ = std::move(handler);
    return *this;
  }

  // Counts every answer by method and route pattern ("GET console" for the
  // fallback's, "GET (none)" for a path no route takes) and status class.
  Router& SetTraffic(std::shared_ptr<Traffic> traffic) {
    traffic_ = std::move(traffic);
    return *this;
  }

  // Every (method, path pattern) added, sorted: what the API document must
  // describe.
  std::vector<std::pair<std::string, std::string>> Routes() const;

  // The pattern a path matches ("/api/v1/monitors/{id}"), or "" for none:
  // what the access log writes instead of a path that may hold a token.
  std::string PatternOf(std::string_view path) const;

  // Runs the matching handler, or answers 404/405 itself. A handler that
  // throws gets a 500 (the exception does not escape; it is logged).
  Response Dispatch(const Request& request) const;

 private:
  std::map<std::string, std::map<std::string, Handler>, std::less<>> routes_;  // path -> method
  Handler fallback_;
  std::shared_ptr<Traffic> traffic_;

  Response Answer(const Request& request, std::string* pattern) const;
};

}  // namespace tocsin::api
