// The probe engine against TLS listeners with certificates made at test
// time: a valid chain, and each certificate failure named by its reason.
#include <gtest/gtest.h>

#include <ctime>

#include "support/engine_runner.h"

namespace tocsin::testing {
namespace {

using probe::Outcome;
using probe::TlsFailure;

class ProbeTlsTest : public ::testing::Test {
 protected:
  std::string Url(int port, const std::string& host = "www.tocsin.test") {
    return "https://" + host + ":" + std::to_string(port) + "/ok";
  }
  const TargetServer& server = TargetServer::Get();
  EngineRunner runner;
};

TEST_F(ProbeTlsTest, ValidCertificateIsOkAndDescribed) {
  auto r = runner.Run(Spec(Url(server.tls_valid)));
  ASSERT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.tls_failure, TlsFailure::kNone);
  EXPECT_GT(r.timings.tls, 0);
  EXPECT_GT(r.timings.dns, 0);
  ASSERT_TRUE(r.certificate.has_value());
  EXPECT_EQ(r.certificate->subject, "CN=valid.tocsin.test");
  EXPECT_EQ(r.certificate->issuer, "CN=Tocsin Test CA");
  const int64_t now = std::time(nullptr);
  EXPECT_GT(r.certificate->not_after, now + 20 * 86400);
  EXPECT_LT(r.certificate->not_before, now + 60);
}

TEST_F(ProbeTlsTest, SelfSignedCertificateIsTlsError) {
  auto r = runner.Run(Spec(Url(server.tls_self_signed)));
  EXPECT_EQ(r.outcome, Outcome::kTlsError);
  EXPECT_EQ(r.tls_failure, TlsFailure::kSelfSigned) << r.detail;
}

TEST_F(ProbeTlsTest, ExpiredCertificateIsTlsErrorWithItsExpiry) {
  auto r = runner.Run(Spec(Url(server.tls_expired)));
  EXPECT_EQ(r.outcome, Outcome::kTlsError);
  EXPECT_EQ(r.tls_failure, TlsFailure::kExpired) << r.detail;
  ASSERT_TRUE(r.certificate.has_value());
  EXPECT_EQ(r.certificate->not_after, 1577923200);  // 2020-01-02T00:00:00Z
}

TEST_F(ProbeTlsTest, WrongHostCertificateIsHostMismatch) {
  auto r = runner.Run(Spec(Url(server.tls_wrong_host)));
  EXPECT_EQ(r.outcome, Outcome::kTlsError);
  EXPECT_EQ(r.tls_failure, TlsFailure::kHostMismatch) << r.detail;
}

TEST_F(ProbeTlsTest, UntrustedIssuerWithoutTheTestCa) {
  auto spec = Spec(Url(server.tls_valid));
  spec.ca_file.clear();  // the system store does not know our test CA
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kTlsError);
  EXPECT_EQ(r.tls_failure, TlsFailure::kUntrustedIssuer) << r.detail;
}

TEST_F(ProbeTlsTest, InsecureSkipsVerificationButStillReportsTheCertificate) {
  auto spec = Spec(Url(server.tls_self_signed));
  spec.insecure = true;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  ASSERT_TRUE(r.certificate.has_value());
  EXPECT_EQ(r.certificate->subject, "CN=selfsigned.tocsin.test");
}

TEST_F(ProbeTlsTest, PlainHttpToTlsPortIsProtocolError) {
  auto r = runner.Run(Spec("http://127.0.0.2:" + std::to_string(server.tls_valid) + "/ok"));
  EXPECT_EQ(r.outcome, Outcome::kProtocolError) << r.detail;
}

TEST_F(ProbeTlsTest, TlsHandshakeCountsInTotal) {
  auto r = runner.Run(Spec(Url(server.tls_valid)));
  ASSERT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_GE(r.timings.total, r.timings.dns + r.timings.connect + r.timings.tls + r.timings.ttfb);
}

}  // namespace
}  // namespace tocsin::testing
