#include "web/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/temp_dir.h"

namespace tocsin::web {
namespace {

using api::Request;
using api::Response;
using api::Router;

using namespace std::chrono_literals;

// Long enough never to fire on a loaded CI machine; it only turns a hang
// into a failure.
constexpr auto kWatchdog = 30s;
constexpr int kSocketTimeoutSeconds = 30;

Router TestRouter() {
  Router router;
  router.Get("/healthz", [](const Request&) { return Response::Text(200, "ok\n"); });
  router.Post("/echo", [](const Request& request) {
    std::string summary = request.method + " " + request.path + " q=" + request.query +
                          " x=" + std::string(request.header("x-test").value_or("-")) +
                          " body=" + request.body;
    return Response::Text(200, summary);
  });
  router.Get("/throws", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  router.Get("/cached", [](const Request&) {
    Response response = Response::Text(200, "static");
    response.headers.emplace_back("Cache-Control", "max-age=60");
    return response;
  });
  return router;
}

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options = {}) {
  options.listen = "127.0.0.1:0";
  auto server = HttpServer::Start(std::move(options), TestRouter());
  if (!server.ok()) throw std::runtime_error(server.error().message);
  return std::move(server).value();
}

struct RawResponse {
  int status = 0;
  std::string head;  // status line and header lines
  std::string body;

  // The value of the first header `name` (exact case, as the server sends it).
  std::string Header(const std::string& name) const {
    const std::string key = "\r\n" + name + ": ";
    const size_t at = head.find(key);
    if (at == std::string::npos) return "";
    const size_t start = at + key.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

// A blocking HTTP/1.1 client on a raw socket, for what libcurl hides:
// keep-alive reuse, oversized headers, malformed requests.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval timeout{kSocketTimeoutSeconds, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect");
    }
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False if the server closed before taking everything.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response (Content-Length framed; no body if `head`), or nullopt if
  // the connection ended first.
  std::optional<RawResponse> Read(bool head = false) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    response.head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    if (response.head.size() < 12) return std::nullopt;
    response.status = std::stoi(response.head.substr(9, 3));
    const size_t length = head ? 0 : std::stoul("0" + response.Header("Content-Length"));
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True if the server closed the connection (EOF or reset), false on data
  // or on the timeout.
  bool ServerClosed() {
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[4096];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

// --- libcurl, the client the probe engine and most users will use ---

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

size_t AppendTo(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

TEST(HttpServerTest, TheAccessLogHoldsNoQueryCookieOrToken) {
  TempDir dir("tocsin-http-access-test");
  const std::string path = dir.path() + "/access.log";
  HttpServerOptions options;
  options.access_log = std::move(AccessLog::Open(path)).value();
  options.trusted_proxies = {*net::Prefix::Parse("127.0.0.0/8")};
  auto server = StartServer(std::move(options));
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/healthz?token=s3cr3t-query",
                              "Cookie: tocsin_session=s3cr3t-cookie\r\n"
                              "Authorization: Bearer tcn_s3cr3t-token\r\n"
                              "X-Forwarded-For: 203.0.113.77\r\n"
                              "User-Agent: probe/1.0\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  server->Stop();
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find(" 203.0.113.0 \"GET /healthz\" 200 3 "), std::string::npos) << line;
  EXPECT_NE(line.find("\"probe/1.0\""), std::string::npos) << line;
  EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << line;
  EXPECT_EQ(line.find("203.0.113.77"), std::string::npos) << line;
}

TEST(HttpServerTest, HealthzAnswers200WithBodyToCurl) {
  auto server = StartServer();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  ASSERT_TRUE(curl);
  std::string body;
  std::string headers;
  const std::string url = "http://" + server->address() + "/healthz";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendTo);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, AppendTo);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  ASSERT_EQ(curl_easy_perform(curl.get()), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "ok\n");
  EXPECT_NE(headers.find("Server: tocsin\r\n"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Cache-Control: no-store\r\n"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(headers.find("Set-Cookie"), std::string::npos);
}

TEST(HttpServerTest, PortReportsTheBoundPort) {
  auto server = StartServer();
  EXPECT_NE(server->port(), 0);
  EXPECT_EQ(server->address(), "127.0.0.1:" + std::to_string(server->port()));
  RawClient client(server->port());  // it is the port really listening
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, UnknownPathIs404) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/nope")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST(HttpServerTest, WrongMethodIs405WithAllow) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("DELETE /healthz HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("Allow"), "GET, HEAD");
}

TEST(HttpServerTest, HeadOfGetRouteSendsHeadersWithoutBody) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("HEAD /healthz HTTP/1.1\r\nHost: test\r\n\r\n" + Get("/healthz")));
  auto head = client.Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "3");
  auto get = client.Read();  // would be garbled had HEAD sent a body
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "ok\n");
}

TEST(HttpServerTest, HandlerSeesMethodPathQueryHeadersAndBody) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(
      client.Send("POST /echo?a=1&b=2 HTTP/1.1\r\nHost: test\r\nX-Test: yes\r\nContent-Length: "
                  "5\r\n\r\nhello"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo q=a=1&b=2 x=yes body=hello");
}

TEST(HttpServerTest, HandlerCacheControlReplacesNoStore) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/cached")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Cache-Control"), "max-age=60");
  EXPECT_EQ(response->head.find("no-store"), std::string::npos);
}

TEST(HttpServerTest, ThrowingHandlerGives500AndServerKeepsServing) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/throws")));
  auto failed = client.Read();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body.find("boom"), std::string::npos);  // no internals leak
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto next = client.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(HttpServerTest, TwoRequestsOnOneKeepAliveConnectionAreBothAnswered) {
  HttpServerOptions options;
  options.threads = 2;
  auto server = StartServer(options);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto first = client.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->Header("Connection"), "");  // HTTP/1.1: keep-alive is implied
  ASSERT_TRUE(client.Send(Get("/nope")));
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 404);
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/healthz", "Connection: close\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.ServerClosed());
}

TEST(HttpServerTest, OversizedHeaderGets431ThenClose) {
  auto server = StartServer();  // max_header_bytes = 16 KiB
  RawClient client(server->port());
  const std::string big(64 * 1024, 'a');
  client.Send(Get("/healthz", "X-Big: " + big + "\r\n"));  // may stop early: the server closes
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.ServerClosed());
}

TEST(HttpServerTest, OversizedBodyGets413ThenClose) {
  HttpServerOptions options;
  options.max_body_bytes = 10;
  auto server = StartServer(options);
  RawClient client(server->port());
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world");
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(client.ServerClosed());
}

TEST(HttpServerTest, MalformedRequestGets400ThenClose) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.1\r\nBad Header Without Colon\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client.ServerClosed());
}

TEST(HttpServerTest, IdleConnectionIsClosedAfterReadTimeout) {
  HttpServerOptions options;
  options.read_timeout = 200'000;
  auto server = StartServer(options);
  RawClient client(server->port());
  EXPECT_TRUE(client.ServerClosed());  // blocks until the server gives up (or 30 s)
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerOptions options;
  options.max_connections = 1;
  auto server = StartServer(options);
  RawClient first(server->port());
  ASSERT_TRUE(first.Send(Get("/healthz")));
  ASSERT_TRUE(first.Read());  // first is now surely registered
  RawClient second(server->port());
  EXPECT_TRUE(second.ServerClosed());
  ASSERT_TRUE(first.Send(Get("/healthz")));  // the admitted one is unaffected
  auto response = first.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, StartOnABusyPortIsAnErrorValueNamingTheAddress) {
  auto first = StartServer();
  HttpServerOptions options;
  options.listen = first->address();
  auto second = HttpServer::Start(options, TestRouter());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(second.error().message,
            "cannot listen on " + first->address() + ": Address already in use");
}

TEST(HttpServerTest, MalformedListenAddressesAreInvalidArgument) {
  for (const char* listen : {"8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:65536", "::1:8080",
                             "[::1]8080", "[127.0.0.1]:80", "example.com:80", "[::1"}) {
    HttpServerOptions options;
    options.listen = listen;
    auto server = HttpServer::Start(options, TestRouter());
    ASSERT_FALSE(server.ok()) << listen;
    EXPECT_EQ(server.error().code, ErrorCode::kInvalidArgument) << listen;
    EXPECT_NE(server.error().message.find(listen), std::string::npos) << server.error().message;
  }
}

TEST(HttpServerTest, ListensOnIpv6LoopbackInBrackets) {
  HttpServerOptions options;
  options.listen = "[::1]:0";
  auto server = HttpServer::Start(options, TestRouter());
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << server.error().message;
  EXPECT_EQ((*server)->address(), "[::1]:" + std::to_string((*server)->port()));
}

TEST(HttpServerTest, StopReturnsWhileAClientHoldsAnIdleKeepAliveConnection) {
  auto server = StartServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/healthz")));
  ASSERT_TRUE(client.Read());  // now idle, kept alive (read_timeout 10 s)

  std::promise<void> stopped;
  std::thread stopper([&] {
    server->Stop();
    stopped.set_value();
  });
  if (stopped.get_future().wait_for(kWatchdog) != std::future_status::ready) {
    ADD_FAILURE() << "Stop() did not return";
    std::abort();  // the stopper thread cannot be joined or abandoned safely
  }
  stopper.join();
  EXPECT_TRUE(client.ServerClosed());
  server->Stop();  // idempotent
}

}  // namespace
}  // namespace tocsin::web
