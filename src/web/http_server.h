// A small HTTP/1.1 server (Boost.Beast underneath, kept out of this header)
// for /healthz and /metrics now, the REST API and console later: a Router
// maps (method, exact path) to a handler; the server runs its own threads.
//
//   web::Router router;
//   router.Get("/healthz", [](const web::Request&) { return web::Response::Text(200, "ok\n"); });
//   auto server = web::HttpServer::Start({.listen = "127.0.0.1:8080"}, std::move(router));
//   if (!server.ok()) ... server.error().message ...
//   (*server)->Stop();  // or let the unique_ptr go
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace tocsin::web {

struct Request {
  std::string method;  // "GET", as sent (methods are case-sensitive)
  std::string target;  // the request target as sent: "/metrics?x=1"
  std::string path;    // target before '?', not percent-decoded: "/metrics"
  std::string query;   // target after '?', raw, without the '?'; empty if none
  std::vector<std::pair<std::string, std::string>> headers;  // in the order sent
  std::string body;
  std::string remote_address;  // the peer, "IP:PORT" ("[v6]:PORT")

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
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
};

using Handler = std::function<Response(const Request&)>;

// Routes by (method, exact path). Unknown path: 404; known path, other
// method: 405 with an Allow header. A GET route also answers HEAD (same
// headers, no body) unless HEAD has its own route.
class Router {
 public:
  // Throws std::logic_error on a duplicate (method, path), a path not
  // starting with '/', an empty method or an empty handler: routes are
  // fixed at start-up, so these are programming errors.
  Router& Add(std::string method, std::string path, Handler handler);
  Router& Get(std::string path, Handler handler) {
    return Add("GET", std::move(path), std::move(handler));
  }
  Router& Post(std::string path, Handler handler) {
    return Add("POST", std::move(path), std::move(handler));
  }

  // Runs the matching handler, or answers 404/405 itself. A handler that
  // throws gets a 500 (the exception does not escape).
  Response Dispatch(const Request& request) const;

 private:
  std::map<std::string, std::map<std::string, Handler>, std::less<>> routes_;  // path -> method
};

struct HttpServerOptions {
  // "HOST:PORT", "[IPV6]:PORT" or ":PORT". HOST is an IP address or
  // "localhost" (127.0.0.1); an empty HOST means every IPv4 interface
  // (0.0.0.0). PORT 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:8080";
  // Threads running the server's event loop, which also run the handlers.
  int threads = 1;
  // Request line plus headers; beyond it the answer is 431 and a close.
  size_t max_header_bytes = 16 * 1024;
  // Request body; beyond it the answer is 413 and a close.
  size_t max_body_bytes = 1 << 20;
  // Time allowed to receive a whole request, counted from the first byte
  // awaited; also how long an idle keep-alive connection is kept open.
  Micros read_timeout = 10'000'000;
  // Time allowed to send a response.
  Micros write_timeout = 10'000'000;
  // Connections open at once; a connection accepted beyond it is closed
  // at once, without a response.
  size_t max_connections = 1024;
};

// Thread-safety: port(), address() and Stop() may be called from any
// thread, but Stop() (and so the destructor) not from inside a handler.
// Handlers run on the server's threads, several at once if threads > 1:
// they must be thread-safe and should not block for long.
class HttpServer {
 public:
  // Validates the options and binds synchronously: a malformed listen
  // address is kInvalidArgument, an address that cannot be bound (in use,
  // not local, no permission) is kUnavailable with a message like
  // "cannot listen on 127.0.0.1:8080: Address already in use". Never throws
  // for these.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Router router);

  // Stops (see Stop).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port: the one asked for, or the one picked for port 0.
  uint16_t port() const;
  // The bound address, "127.0.0.1:PORT" or "[::1]:PORT".
  std::string address() const;

  // Closes the listener and every connection (requests being handled finish
  // first, their responses are dropped) and joins the threads. Idempotent.
  void Stop();

  // Use Start(). (Public for std::make_unique; only http_server.cc can make
  // an Impl.)
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::web
