// The server over TLS: with a certificate and key it answers HTTPS (and a
// client that trusts the certificate gets the page), a plain-HTTP client
// gets no answer, and unusable files are a clear error at start.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "core/temp_dir.h"
#include "web/http_server.h"

namespace tocsin::web {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

size_t AppendTo(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

class HttpTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A self-signed certificate for 127.0.0.1, made by Debian's openssl.
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  std::unique_ptr<HttpServer> Start() {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.tls_cert_file = cert_;
    options.tls_key_file = key_;
    api::Router router;
    router.Get("/healthz", [](const api::Request&) { return api::Response::Text(200, "ok\n"); });
    auto server = HttpServer::Start(std::move(options), std::move(router));
    EXPECT_TRUE(server.ok()) << server.error().message;
    return server.ok() ? std::move(server).value() : nullptr;
  }

  // The code libcurl ends with, and the status and body it got.
  CURLcode Get(const std::string& url, long* status, std::string* body) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, cert_.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendTo);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 20L);
    const CURLcode code = curl_easy_perform(curl.get());
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, status);
    return code;
  }

  TempDir dir_{"tocsin-http-tls-test"};
  const std::string cert_ = dir_.path() + "/cert.pem";
  const std::string key_ = dir_.path() + "/key.pem";
};

TEST_F(HttpTlsTest, AnswersHttpsWithTheCertificate) {
  auto server = Start();
  ASSERT_TRUE(server);
  long status = 0;
  std::string body;
  ASSERT_EQ(Get("https://" + server->address() + "/healthz", &status, &body), CURLE_OK);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "ok\n");
}

TEST_F(HttpTlsTest, PlainHttpGetsNoAnswerAndTheServerGoesOn) {
  auto server = Start();
  ASSERT_TRUE(server);
  long status = 0;
  std::string body;
  EXPECT_NE(Get("http://" + server->address() + "/healthz", &status, &body), CURLE_OK);
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(body.empty());
  ASSERT_EQ(Get("https://" + server->address() + "/healthz", &status, &body), CURLE_OK);
  EXPECT_EQ(status, 200);
}

TEST_F(HttpTlsTest, UnusableFilesAreAClearErrorAtStart) {
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls_cert_file = dir_.path() + "/missing.pem";
  options.tls_key_file = key_;
  auto server = HttpServer::Start(options, api::Router());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("missing.pem"), std::string::npos)
      << server.error().message;
  options.tls_cert_file = cert_;
  options.tls_key_file = cert_;  // a certificate is not a key
  server = HttpServer::Start(options, api::Router());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("TLS key"), std::string::npos) << server.error().message;
  options.tls_key_file = "";
  EXPECT_FALSE(HttpServer::Start(options, api::Router()).ok());
}

}  // namespace
}  // namespace tocsin::web
