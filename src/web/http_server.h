// A small HTTP/1.1 server (Boost.Beast underneath, kept out of this header):
// the transport in front of the API's Router (api/http.h); it runs its own
// threads.
//
//   api::Router router;
//   router.Get("/healthz", [](const api::Request&) { return api::Response::Text(200, "ok\n"); });
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

#include "api/http.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/address_policy.h"
#include "web/access_log.h"

namespace tocsin::web {

struct HttpServerOptions {
  // Read by net::ParseListenAddress: "HOST:PORT", "[IPV6]:PORT" or ":PORT".
  // HOST is an IPv4 address or "localhost" (127.0.0.1); an empty HOST means
  // every IPv4 interface (0.0.0.0). PORT 0 picks a free port (see port()).
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
  // Reverse proxies whose X-Forwarded-For is believed: the client address
  // handlers see (Request::remote_address) is then the forwarded one.
  std::vector<net::Prefix> trusted_proxies;
  // One line per request (web/access_log.h); none when null.
  std::shared_ptr<AccessLog> access_log;
  // PEM files: with both, the server speaks HTTPS (TLS 1.2 and 1.3) only.
  std::string tls_cert_file;
  std::string tls_key_file;
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
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, api::Router router);

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
