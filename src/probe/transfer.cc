#include "probe/transfer.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>

#include "core/duration.h"

namespace tocsin::probe {
namespace {

int g_ssl_ctx_index = -1;

Micros ElapsedSince(Micros start) {
  return MonotonicMicros() - start;
}

std::string NameToString(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len > 0 ? len : 0));
  BIO_free(bio);
  return out;
}

int64_t AsnTimeToUnix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

// OpenSSL calls this for each certificate of the chain during the
// handshake. We only record the leaf's identity and validity (also when
// verification then fails, so an expired certificate's date is reported)
// and leave the verdict unchanged.
int VerifyCallback(int preverify_ok, X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return preverify_ok;
  auto* t = static_cast<Transfer*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), g_ssl_ctx_index));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (t == nullptr || cert == nullptr || t->result.certificate) return preverify_ok;
  TlsCertificate c;
  c.subject = NameToString(X509_get_subject_name(cert));
  c.issuer = NameToString(X509_get_issuer_name(cert));
  c.not_before = AsnTimeToUnix(X509_get0_notBefore(cert));
  c.not_after = AsnTimeToUnix(X509_get0_notAfter(cert));
  t->result.certificate = std::move(c);
  return preverify_ok;
}

// libcurl (OpenSSL back end) makes one SSL_CTX per connection and hands it
// to us before the handshake: attach the transfer and our verify callback.
CURLcode SslCtxCallback(CURL*, void* ssl_ctx, void* userdata) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_ex_data(ctx, g_ssl_ctx_index, userdata);
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), VerifyCallback);
  return CURLE_OK;
}

size_t WriteCallback(char* data, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t n = size * count;
  const uint64_t limit = t->check->spec().max_body_bytes;
  if (t->body_bytes + n > limit) {
    t->abort = Transfer::Abort::kBodyTooLarge;
    t->abort_detail = "body larger than max_body_bytes (" + std::to_string(limit) + ")";
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  t->body_bytes += n;
  if (t->check->keeps_body()) t->body.append(data, n);
  return n;
}

size_t HeaderCallback(char* /*data*/, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t n = size * count;
  const uint32_t limit = t->check->spec().max_header_bytes;
  if (t->header_bytes + n > limit) {
    t->abort = Transfer::Abort::kHeadersTooLarge;
    t->abort_detail = "headers larger than max_header_bytes (" + std::to_string(limit) + ")";
    return 0;
  }
  t->header_bytes += static_cast<uint32_t>(n);
  return n;
}

// The last guard: whatever address curl is about to connect to must be the
// one we resolved, approved and pinned.
curl_socket_t OpenSocketCallback(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  auto ip = net::IpAddress::FromSockaddr(&address->addr);
  if (!ip || !(*ip == t->ip)) {
    t->abort = Transfer::Abort::kBlocked;
    t->abort_detail = "connection to an address other than the approved one refused";
    return CURL_SOCKET_BAD;
  }
  if (Status s = t->policy->Check(*ip); !s.ok()) {
    t->abort = Transfer::Abort::kBlocked;
    t->abort_detail = s.error().message;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                address->protocol);
}

TlsFailure TlsFailureFromVerifyResult(long verify) {
  switch (verify) {
    case X509_V_OK:
    // libcurl presets the result to "unspecified" and only stores OpenSSL's
    // verdict once the chain was checked: no verdict about the chain.
    case X509_V_ERR_UNSPECIFIED:
      return TlsFailure::kNone;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return TlsFailure::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return TlsFailure::kNotYetValid;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return TlsFailure::kSelfSigned;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return TlsFailure::kHostMismatch;
    case X509_V_ERR_CERT_REVOKED:
      return TlsFailure::kRevoked;
    default:
      return TlsFailure::kUntrustedIssuer;
  }
}

std::string TlsFailureSentence(TlsFailure f) {
  switch (f) {
    case TlsFailure::kExpired:
      return "certificate expired";
    case TlsFailure::kNotYetValid:
      return "certificate not yet valid";
    case TlsFailure::kSelfSigned:
      return "self-signed certificate";
    case TlsFailure::kUntrustedIssuer:
      return "certificate issuer not trusted";
    case TlsFailure::kHostMismatch:
      return "certificate does not match the host name";
    case TlsFailure::kRevoked:
      return "certificate revoked";
    case TlsFailure::kHandshake:
      return "TLS handshake failed";
    case TlsFailure::kNone:
      break;
  }
  return "TLS error";
}

std::string CurlMessage(const Transfer& t, CURLcode code) {
  return t.error[0] != '\0' ? std::string(t.error) : std::string(curl_easy_strerror(code));
}

// Fills the phases of the hop from curl's clock (microseconds since curl
// started the transfer) plus our DNS time, and the totals from ours.
void RecordTimings(Transfer& t) {
  curl_off_t lookup = 0, connect = 0, app = 0, start = 0, total = 0;
  curl_easy_getinfo(t.easy, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
  curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(t.easy, CURLINFO_APPCONNECT_TIME_T, &app);
  curl_easy_getinfo(t.easy, CURLINFO_STARTTRANSFER_TIME_T, &start);
  curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME_T, &total);
  Timings& tm = t.result.timings;
  tm = Timings{};
  tm.dns = t.dns_us;
  tm.redirect = t.hop_start - t.check_start;
  if (connect > 0) tm.connect = connect - lookup;
  if (app > 0) tm.tls = app - connect;
  const curl_off_t ready = app > 0 ? app : connect;
  if (start > 0 && ready > 0) {
    tm.ttfb = start - ready;
    tm.download = total - start;
  }
  tm.total = ElapsedSince(t.check_start);
}

void RecordResponse(Transfer& t) {
  CheckResult& r = t.result;
  long status = 0;
  long version = 0;
  curl_off_t wire = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(t.easy, CURLINFO_HTTP_VERSION, &version);
  curl_easy_getinfo(t.easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
  r.http_status = static_cast<uint16_t>(status);
  switch (version) {
    case CURL_HTTP_VERSION_1_0:
      r.http_version = 10;
      break;
    case CURL_HTTP_VERSION_1_1:
      r.http_version = 11;
      break;
    case CURL_HTTP_VERSION_2_0:
      r.http_version = 20;
      break;
    case CURL_HTTP_VERSION_3:
      r.http_version = 30;
      break;
    default:
      r.http_version = 0;
  }
  r.url = t.url.normalized;
  r.host = t.url.host;
  r.ip = t.ip;
  r.dns_cached = t.dns_cached;
  r.bytes = static_cast<uint64_t>(wire);
  r.body_bytes = t.body_bytes;
  r.header_bytes = t.header_bytes;
}

// Maps a failed transfer to an outcome. Order matters: our own aborts first
// (curl only sees a write error), then what the socket layer said.
void ClassifyCurlError(Transfer& t, CURLcode code) {
  CheckResult& r = t.result;
  long os_errno = 0;
  curl_easy_getinfo(t.easy, CURLINFO_OS_ERRNO, &os_errno);
  curl_off_t connect = 0, app = 0, start = 0;
  curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(t.easy, CURLINFO_APPCONNECT_TIME_T, &app);
  curl_easy_getinfo(t.easy, CURLINFO_STARTTRANSFER_TIME_T, &start);
  const std::string message = CurlMessage(t, code);

  switch (t.abort) {
    case Transfer::Abort::kBodyTooLarge:
    case Transfer::Abort::kHeadersTooLarge:
      r.outcome = Outcome::kTooLarge;
      r.detail = t.abort_detail;
      return;
    case Transfer::Abort::kBlocked:
      r.outcome = Outcome::kBlockedAddress;
      r.detail = t.abort_detail;
      return;
    case Transfer::Abort::kNone:
      break;
  }
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ETIMEDOUT) {
        r.outcome = Outcome::kConnectTimeout;
      } else {
        r.outcome = Outcome::kConnectRefused;
      }
      r.detail = "connect to " + t.ip.ToUrlHost() + ":" + std::to_string(t.url.port) + " failed: " +
                 (os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : message);
      return;
    case CURLE_OPERATION_TIMEDOUT: {
      const Micros elapsed = ElapsedSince(t.check_start);
      if (connect == 0) {
        r.outcome = Outcome::kConnectTimeout;
        r.detail = "no TCP connection to " + t.ip.ToUrlHost() + ":" + std::to_string(t.url.port) +
                   " after " + FormatMillis(elapsed);
      } else {
        r.outcome = Outcome::kTimeout;
        const char* phase = (t.url.is_https() && app == 0) ? "during the TLS handshake"
                            : start == 0                   ? "waiting for the first byte"
                                                           : "while downloading the body";
        r.detail = std::string("timed out ") + phase + " after " + FormatMillis(elapsed);
      }
      return;
    }
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED: {
      long verify = X509_V_OK;
      curl_easy_getinfo(t.easy, CURLINFO_SSL_VERIFYRESULT, &verify);
      TlsFailure f = TlsFailureFromVerifyResult(verify);
      if (f == TlsFailure::kNone) {
        // libcurl checks the host name itself, after OpenSSL accepted the chain.
        f = code == CURLE_PEER_FAILED_VERIFICATION ? TlsFailure::kHostMismatch
                                                   : TlsFailure::kHandshake;
      }
      r.outcome = Outcome::kTlsError;
      r.tls_failure = f;
      r.detail = TlsFailureSentence(f) + ": " + message;
      return;
    }
    case CURLE_FILESIZE_EXCEEDED:
      r.outcome = Outcome::kTooLarge;
      r.detail = "Content-Length larger than max_body_bytes (" +
                 std::to_string(t.check->spec().max_body_bytes) + ")";
      return;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      r.outcome = Outcome::kProtocolError;
      r.detail = os_errno == ECONNRESET ? "connection reset by the server" : message;
      return;
    case CURLE_GOT_NOTHING:
      r.outcome = Outcome::kProtocolError;
      r.detail = "the server closed the connection without a response";
      return;
    default:
      // Malformed status line, bad chunked encoding, truncated body, broken
      // content encoding, HTTP/2 framing errors and the like.
      r.outcome = Outcome::kProtocolError;
      r.detail = message;
      return;
  }
}

}  // namespace

Transfer::~Transfer() {
  curl_slist_free_all(connect_to);
}

Status GlobalInitCurl() {
  // Once per process; a failure is remembered, so every shard reports it.
  static const Status status = [] {
    const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
      return Status(Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(rc)));
    }
    g_ssl_ctx_index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    if (g_ssl_ctx_index < 0) return Status(Internal("SSL_CTX_get_ex_new_index failed"));
    return Status();
  }();
  return status;
}

bool ConfigureEasy(Transfer& t) {
  CURL* e = t.easy;
  const CheckSpec& spec = t.check->spec();
  // Pin the connection to the address we approved: curl connects to it
  // instead of resolving the host itself, while TLS (SNI, certificate name)
  // and the Host header still use the host name.
  curl_slist_free_all(t.connect_to);
  const std::string pin = t.url.literal ? t.url.literal->ToUrlHost() : t.url.host;
  t.connect_to = curl_slist_append(nullptr, (pin + ":" + std::to_string(t.url.port) + ":" +
                                             t.ip.ToUrlHost() + ":" + std::to_string(t.url.port))
                                                .c_str());
  if (t.connect_to == nullptr) return false;

  const Micros remaining = std::max<Micros>(t.deadline - MonotonicMicros(), 1'000);
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_URL, t.url.normalized.c_str()));
  set(curl_easy_setopt(e, CURLOPT_CONNECT_TO, t.connect_to));
  set(curl_easy_setopt(e, CURLOPT_PRIVATE, &t));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));  // the shard follows, re-checking
  // A fresh connection every time: we measure connect and TLS, and a reused
  // connection would hide an outage of the listener.
  set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
  set(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>((remaining + 999) / 1000)));
  set(curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""));
  set(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(spec.max_body_bytes)));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, WriteCallback));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, HeaderCallback));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, &t));
  set(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OpenSocketCallback));
  set(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t));
  set(curl_easy_setopt(e, CURLOPT_HTTPHEADER,
                       t.first_host ? t.check->headers() : t.check->cross_host_headers()));
  if (t.method == "HEAD") {
    set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
  } else if (t.method != "GET") {
    set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str()));
  }
  if (t.send_body && !spec.body.empty()) {
    set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(spec.body.size())));
    set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, spec.body.data()));
    if (t.method == "GET") set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "GET"));
  }
  if (t.first_host && !spec.basic_auth.empty()) {
    set(curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC));
    set(curl_easy_setopt(e, CURLOPT_USERPWD, spec.basic_auth.c_str()));
  }
  if (t.url.is_https()) {
    set(curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, SslCtxCallback));
    set(curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, &t));
    if (!spec.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, spec.ca_file.c_str()));
    if (spec.insecure) {
      set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L));
      set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L));
    }
  }
  return ok;
}

void FailCheck(Transfer& t, Outcome outcome, std::string detail) {
  CheckResult& r = t.result;
  r.outcome = outcome;
  r.detail = std::move(detail);
  r.url = t.url.normalized;
  r.host = t.url.host;
  r.ip = t.ip;
  r.dns_cached = t.dns_cached;
  r.timings.dns = t.dns_us;
  r.timings.redirect = t.hop_start - t.check_start;
  r.timings.total = ElapsedSince(t.check_start);
}

HopVerdict EvaluateHop(Transfer& t, CURLcode code, net::Url* next) {
  CheckResult& r = t.result;
  RecordTimings(t);
  RecordResponse(t);
  if (code != CURLE_OK) {
    ClassifyCurlError(t, code);
    return HopVerdict::kDone;
  }
  const CheckSpec& spec = t.check->spec();
  const bool is_redirect = r.http_status >= 300 && r.http_status < 400 && r.http_status != 304;
  char* location = nullptr;
  curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &location);
  if (is_redirect && location != nullptr && spec.max_redirects > 0) {
    auto target = net::ResolveRedirect(t.url, location);
    if (!target.ok()) {
      r.outcome = Outcome::kProtocolError;
      r.detail = "bad redirect: " + target.error().message;
      return HopVerdict::kDone;
    }
    for (const std::string& seen : t.visited) {
      if (seen == target->normalized) {
        r.outcome = Outcome::kRedirectLoop;
        r.detail = "redirect loop: " + t.url.normalized + " -> " + target->normalized;
        return HopVerdict::kDone;
      }
    }
    // visited holds every URL requested so far, so one more than the
    // redirects followed.
    if (t.visited.size() > spec.max_redirects) {
      r.outcome = Outcome::kRedirectLoop;
      r.detail = "more than " + std::to_string(spec.max_redirects) + " redirects";
      return HopVerdict::kDone;
    }
    *next = std::move(*target);
    return HopVerdict::kRedirect;
  }
  if (!t.check->expect_status().Contains(r.http_status)) {
    r.outcome = Outcome::kHttpStatus;
    r.detail = "status " + std::to_string(r.http_status) + ", expected " + spec.expect_status;
    return HopVerdict::kDone;
  }
  if (t.check->keeps_body()) {
    std::string failure = t.check->CheckBody(t.body);
    if (!failure.empty()) {
      r.outcome = Outcome::kAssertionFailed;
      r.detail = std::move(failure);
      return HopVerdict::kDone;
    }
  }
  r.outcome = Outcome::kOk;
  return HopVerdict::kDone;
}

}  // namespace tocsin::probe
