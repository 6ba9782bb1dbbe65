// HttpServer on Boost.Beast: one acceptor, one Session per connection, each
// on its own strand of the server's io_context. Every Beast and Asio include
// of the project lives here so other files compile fast.
#include "web/http_server.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <ctime>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "core/text.h"
#include "net/host_port.h"

namespace tocsin::web {

using api::Request;
using api::Response;
using api::Router;

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// After an error response (400, 413, 431) the client may still be sending;
// closing with unread input would reset the connection and could destroy
// the response before the client reads it (RFC 9112, 9.6). So the server
// stops sending, then reads and discards for a while before closing.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kLingerMaxBytes = 1 << 20;
constexpr size_t kLingerChunkBytes = 16 * 1024;
// When accept() fails (out of file descriptors), wait before retrying
// rather than spin.
constexpr std::chrono::milliseconds kAcceptErrorBackoff{100};
constexpr int kMaxThreads = 256;

Result<tcp::endpoint> ParseListen(std::string_view listen) {
  auto address = tocsin::net::ParseListenAddress(listen);
  if (!address.ok()) return address.error();
  beast::error_code ec;
  const auto ip = net::ip::make_address(address->ip.ToString(), ec);
  if (ec) return Internal("cannot use listen address " + address->ToString() + ": " + ec.message());
  return tcp::endpoint(ip, address->port);
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const std::string ip = endpoint.address().to_string();
  return endpoint.address().is_v6() ? fmt::format("[{}]:{}", ip, endpoint.port())
                                    : fmt::format("{}:{}", ip, endpoint.port());
}

// RFC 9110 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (fmt's
// chrono names are the C locale's, as HTTP wants).
std::string HttpDate() {
  return fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT", fmt::gmtime(std::time(nullptr)));
}

// What the server keeps of a connection, whatever its stream.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Safe from any thread: hops onto the session's strand.
  virtual void CloseFromOutside() = 0;
};

}  // namespace

// --- The server ---

struct HttpServer::Impl {
  Impl(HttpServerOptions opts, Router r)
      : options(std::move(opts)),
        router(std::move(r)),
        ioc(options.threads),
        acceptor(net::make_strand(ioc)),
        accept_backoff(acceptor.get_executor()),
        work(net::make_work_guard(ioc)) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Unregister(SessionBase* session);
  void Stop();
  // Loads options' certificate and key; a clear error when they do not.
  Status LoadTls();

  // Declared before ioc: handlers still queued when ioc is destroyed hold
  // Sessions, whose destructors use these.
  const HttpServerOptions options;
  const Router router;
  std::mutex mu;
  bool stopping = false;                                                  // guarded by mu
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // guarded by mu
  // Set when the server speaks TLS (a certificate and key were given).
  std::optional<net::ssl::context> tls;

  net::io_context ioc;
  tcp::acceptor acceptor;  // on its own strand
  net::steady_timer accept_backoff;
  tcp::endpoint bound;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;

  std::mutex stop_mu;
  bool stopped = false;  // guarded by stop_mu
};

namespace {

// One connection: read a request, answer it, repeat while keep-alive.
// Every member runs on the session's strand. Stream is beast::tcp_stream,
// or an ssl_stream over one when the server speaks TLS.
template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <typename... TlsContext>
  Session(HttpServer::Impl& server, tcp::socket socket, TlsContext&... tls)
      : server_(server), stream_(std::move(socket), tls...) {
    beast::error_code ec;
    const tcp::endpoint peer = Lowest().socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = FormatEndpoint(peer);
      peer_ip_ = peer.address().to_string();
    }
  }
  ~Session() { server_.Unregister(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Lowest().expires_after(std::chrono::microseconds(self->server_.options.read_timeout));
        self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->Close();  // not TLS, or refused
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

  void CloseFromOutside() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Read() {
    parser_.emplace();
    parser_->header_limit(
        static_cast<uint32_t>(std::min<size_t>(server_.options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(server_.options.max_body_bytes);
    Lowest().expires_after(std::chrono::microseconds(server_.options.read_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return SendError(431, "request header fields too large\n");
    }
    if (ec == http::error::body_limit) return SendError(413, "request body too large\n");
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return Close();
    if (ec && ec.category() == beast::http::make_error_code(http::error::bad_target).category()) {
      return SendError(400, "bad request\n");
    }
    if (ec) return Close();  // timeout, reset, or closed by Stop()

    const auto& message = parser_->get();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    if (!request.target.starts_with('/')) return SendError(400, "bad request target\n");
    const size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = message.body();
    request.remote_address = remote_address_;
    const std::string forwarded(message["X-Forwarded-For"]);
    if (!server_.options.trusted_proxies.empty() && !forwarded.empty()) {
      const std::string client =
          web::ClientAddress(peer_ip_, forwarded, server_.options.trusted_proxies);
      if (!client.empty() && client != peer_ip_) {
        request.remote_address =
            client.find(':') != std::string::npos ? "[" + client + "]:0" : client + ":0";
      }
    }

    const Micros started = MonotonicMicros();
    Response response = server_.router.Dispatch(request);
    if (server_.options.access_log) {
      const std::string_view address = request.remote_address;
      const std::string client(address.starts_with('[') ? address.substr(1, address.find(']') - 1)
                                                        : address.substr(0, address.rfind(':')));
      server_.options.access_log->Write(
          {client, request.method, server_.router.PatternOf(request.path), response.status,
           response.body.size(), MonotonicMicros() - started,
           std::string(message[http::field::user_agent]), UnixMicros() / 1'000'000});
    }
    const bool head = message.method() == http::verb::head;
    Send(std::move(response), message.version(), message.keep_alive(), head, /*linger=*/false);
  }

  void SendError(int status, std::string body) {
    Response response = Response::Text(status, body);
    // Under /api/ errors are JSON, these too (when the request line was
    // read: a Content-Length over the limit is refused before the other
    // fields are).
    if (parser_ && parser_->get().target().starts_with("/api/")) {
      while (!body.empty() && body.back() == '\n') body.pop_back();
      const char* code = status == 413   ? "payload_too_large"
                         : status == 431 ? "headers_too_large"
                                         : "invalid_argument";
      response = Response::Json(
          status, std::string(R"({"error":{"code":")") + code + R"(","message":")" + body + "\"}}");
    }
    Send(std::move(response), 11, /*keep_alive=*/false, /*head=*/false, /*linger=*/true);
  }

  void Send(Response response, unsigned version, bool keep_alive, bool head, bool linger) {
    if (response.status < 100 || response.status > 599) response = Response::Text(500, "");
    auto& out = response_.emplace(static_cast<http::status>(response.status), version);
    out.set(http::field::server, "tocsin");
    out.set(http::field::date, HttpDate());
    out.set(http::field::content_type, response.content_type);
    bool has_cache_control = false;
    for (auto& [name, value] : response.headers) {
      has_cache_control = has_cache_control || AsciiIEquals(name, "Cache-Control");
      out.insert(name, value);
    }
    if (!has_cache_control) out.set(http::field::cache_control, "no-store");
    out.keep_alive(keep_alive);
    const size_t body_size = response.body.size();
    if (head) {
      out.content_length(body_size);  // what GET would send; no body follows
    } else {
      out.body() = std::move(response.body);
      out.prepare_payload();
    }
    Lowest().expires_after(std::chrono::microseconds(server_.options.write_timeout));
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), keep_alive, linger](beast::error_code ec,
                                                                            size_t /*bytes*/) {
                        self->response_.reset();
                        if (ec) return self->Close();
                        if (linger) return self->Linger();
                        if (!keep_alive) return self->CloseGracefully();
                        self->Read();
                      });
  }

  void Linger() {
    // Over TLS the peer's unread bytes are records, not a reason for a
    // reset to lose the answer: the connection just ends.
    if constexpr (kTls) return Close();
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.consume(buffer_.size());
    Lowest().expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    Lowest().async_read_some(buffer_.prepare(kLingerChunkBytes),
                             [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
                               self->lingered_bytes_ += bytes;
                               if (ec || self->lingered_bytes_ > kLingerMaxBytes) {
                                 return self->Close();
                               }
                               self->Drain();
                             });
  }

  void CloseGracefully() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Close();
  }

  void Close() {
    Lowest().close();  // noexcept; pending operations complete with operation_aborted
  }

  HttpServer::Impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::string remote_address_;
  std::string peer_ip_;
  size_t lingered_bytes_ = 0;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // Out of descriptors or memory: existing connections continue, new ones
    // wait in the backlog until the retry.
    accept_backoff.expires_after(kAcceptErrorBackoff);
    accept_backoff.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  std::shared_ptr<SessionBase> session;
  std::function<void()> start;
  if (tls) {
    auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        *this, std::move(socket), *tls);
    start = [s] { s->Start(); };
    session = std::move(s);
  } else {
    auto s = std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket));
    start = [s] { s->Start(); };
    session = std::move(s);
  }
  bool admitted = false;
  {
    std::lock_guard lock(mu);
    admitted = !stopping && sessions.size() < options.max_connections;
    if (admitted) sessions.emplace(session.get(), session);
  }
  // Not admitted: the session is dropped here, which closes the socket.
  if (admitted) start();
  Accept();
}

Status HttpServer::Impl::LoadTls() {
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return InvalidArgument("TLS needs both a certificate file and a key file");
  }
  tls.emplace(net::ssl::context::tls_server);
  // TLS 1.2 and 1.3 only; the server's cipher preference.
  tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  beast::error_code ec;
  tls->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    return InvalidArgument("cannot use the TLS certificate " + options.tls_cert_file + ": " +
                           ec.message());
  }
  tls->use_private_key_file(options.tls_key_file, net::ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("cannot use the TLS key " + options.tls_key_file + ": " + ec.message());
  }
  return {};
}

void HttpServer::Impl::Unregister(SessionBase* session) {
  std::lock_guard lock(mu);
  sessions.erase(session);
}

void HttpServer::Impl::Stop() {
  std::lock_guard stop_lock(stop_mu);
  if (stopped) return;
  stopped = true;
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(mu);
    stopping = true;  // sessions accepted from now on are refused
    for (auto& [raw, weak] : sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ec;
    acceptor.close(ec);
    accept_backoff.cancel();
  });
  for (auto& session : live) session->CloseFromOutside();
  live.clear();
  // With the listener and every connection closed, the threads run out of
  // work and return.
  work.reset();
  for (auto& thread : threads) thread.join();
  threads.clear();
}

// --- HttpServer ---

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::Stop() {
  impl_->Stop();
}

uint16_t HttpServer::port() const {
  return impl_->bound.port();
}

std::string HttpServer::address() const {
  return FormatEndpoint(impl_->bound);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, Router router) {
  if (options.threads < 1 || options.threads > kMaxThreads) {
    return InvalidArgument(fmt::format("threads must be 1 to {}", kMaxThreads));
  }
  if (options.max_connections < 1 || options.max_header_bytes < 1 || options.read_timeout <= 0 ||
      options.write_timeout <= 0) {
    return InvalidArgument("max_connections, max_header_bytes and the timeouts must be positive");
  }
  Result<tcp::endpoint> endpoint = ParseListen(options.listen);
  if (!endpoint.ok()) return endpoint.error();

  auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
  if (!impl->options.tls_cert_file.empty() || !impl->options.tls_key_file.empty()) {
    if (Status s = impl->LoadTls(); !s.ok()) return s.error();
  }
  beast::error_code ec;
  auto fail = [&](std::string_view step) {
    return Unavailable(
        fmt::format("cannot listen on {}: {}{}", FormatEndpoint(*endpoint), step, ec.message()));
  };
  impl->acceptor.open(endpoint->protocol(), ec);
  if (ec) return fail("");
  // Lets a restarted server bind while old connections sit in TIME_WAIT; on
  // Linux it does not let two listeners share a port.
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt: ");
  impl->acceptor.bind(*endpoint, ec);
  if (ec) return fail("");
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen: ");
  impl->bound = impl->acceptor.local_endpoint(ec);
  if (ec) return fail("getsockname: ");
  impl->Accept();

  // From here the destructor stops and joins whatever was started.
  auto server = std::make_unique<HttpServer>(std::move(impl));
  Impl& started = *server->impl_;
  for (int i = 0; i < started.options.threads; ++i) {
    started.threads.emplace_back([&started] { started.ioc.run(); });
  }
  return server;
}

}  // namespace tocsin::web
