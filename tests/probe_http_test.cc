// The probe engine against a hostile HTTP server: every outcome that HTTP
// can produce, the limits, the options, and the measured phases.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/engine_runner.h"

namespace tocsin::testing {
namespace {

using probe::Outcome;

class ProbeHttpTest : public ::testing::Test {
 protected:
  const TargetServer& server = TargetServer::Get();
  EngineRunner runner;
};

TEST_F(ProbeHttpTest, OkPageRecordsStatusBytesAddressAndPhases) {
  auto r = runner.Run(Spec(server.HttpUrl("/ok")));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.http_version, 11);
  EXPECT_EQ(r.body_bytes, 2048u);
  EXPECT_EQ(r.bytes, 2048u);
  EXPECT_GT(r.header_bytes, 0u);
  EXPECT_EQ(r.ip.ToString(), "127.0.0.2");
  EXPECT_EQ(r.host, "127.0.0.2");
  EXPECT_GT(r.timings.connect, 0);
  EXPECT_GT(r.timings.ttfb, 0);
  EXPECT_EQ(r.timings.tls, 0);
  EXPECT_GE(r.timings.total, r.timings.connect + r.timings.ttfb + r.timings.download);
  EXPECT_GT(r.started_at, 1'700'000'000'000'000);
  EXPECT_TRUE(r.detail.empty());
}

TEST_F(ProbeHttpTest, DelayBeforeFirstByteShowsInTtfbWithin2ms) {
  constexpr Micros kDelay = 150'000;
  // The server sleeps in a Python thread on a 2-core machine: one run can be
  // late by scheduling alone, so the best of five is compared.
  Micros best = INT64_MAX;
  for (int i = 0; i < 5; ++i) {
    auto r = runner.Run(Spec(server.HttpUrl("/delay?ms=150")));
    ASSERT_EQ(r.outcome, Outcome::kOk) << r.detail;
    EXPECT_GE(r.timings.ttfb, kDelay);
    best = std::min(best, r.timings.ttfb - kDelay);
  }
  EXPECT_LT(best, 2'000);
}

TEST_F(ProbeHttpTest, UnexpectedStatusIsHttpStatus) {
  auto r = runner.Run(Spec(server.HttpUrl("/status/503")));
  EXPECT_EQ(r.outcome, Outcome::kHttpStatus);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.detail, "status 503, expected 200-299");
}

TEST_F(ProbeHttpTest, ExpectedStatusRangesAreHonoured) {
  auto spec = Spec(server.HttpUrl("/status/503"));
  spec.expect_status = "200-299,500-503";
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kOk);
}

TEST_F(ProbeHttpTest, ConnectionRefusedIsConnectRefused) {
  auto r = runner.Run(Spec("http://127.0.0.2:" + std::to_string(server.closed) + "/"));
  EXPECT_EQ(r.outcome, Outcome::kConnectRefused);
  EXPECT_NE(r.detail.find("Connection refused"), std::string::npos) << r.detail;
}

TEST_F(ProbeHttpTest, UnansweredSynIsConnectTimeout) {
  auto spec = Spec("http://127.0.0.2:" + std::to_string(server.blackhole) + "/");
  spec.timeout = 400'000;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kConnectTimeout) << r.detail;
  EXPECT_GE(r.timings.total, 395'000);  // curl keeps time in whole milliseconds
}

TEST_F(ProbeHttpTest, SlowFirstByteIsTimeout) {
  auto spec = Spec(server.HttpUrl("/delay?ms=3000"));
  spec.timeout = 300'000;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kTimeout);
  EXPECT_NE(r.detail.find("waiting for the first byte"), std::string::npos) << r.detail;
  EXPECT_LT(r.timings.total, 2'000'000);
}

TEST_F(ProbeHttpTest, SlowHeadersAreTimeout) {
  auto spec = Spec(server.HttpUrl("/slow-headers?ms=200&count=20"));
  spec.timeout = 500'000;
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kTimeout);
}

TEST_F(ProbeHttpTest, TrickledBodyIsTimeoutWhileDownloading) {
  auto spec = Spec(server.HttpUrl("/trickle?bytes=100000&ms=50&chunk=100"));
  spec.timeout = 500'000;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kTimeout);
  EXPECT_NE(r.detail.find("downloading"), std::string::npos) << r.detail;
  EXPECT_GT(r.body_bytes, 0u);
}

TEST_F(ProbeHttpTest, EndlessBodyStopsAtMaxBodyBytes) {
  auto spec = Spec(server.HttpUrl("/endless"));
  spec.max_body_bytes = 1 << 20;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge);
  EXPECT_LE(r.body_bytes, 1u << 20);
  EXPECT_NE(r.detail.find("max_body_bytes"), std::string::npos);
}

TEST_F(ProbeHttpTest, DeclaredLengthAboveLimitIsTooLargeBeforeDownload) {
  auto spec = Spec(server.HttpUrl("/bytes?n=200000"));
  spec.max_body_bytes = 100'000;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge);
  EXPECT_EQ(r.body_bytes, 0u);
}

TEST_F(ProbeHttpTest, BodyAtTheLimitPasses) {
  auto spec = Spec(server.HttpUrl("/bytes?n=100000"));
  spec.max_body_bytes = 100'000;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.body_bytes, 100'000u);
}

TEST_F(ProbeHttpTest, HugeHeadersAreTooLarge) {
  auto r = runner.Run(Spec(server.HttpUrl("/big-headers?kb=100")));
  EXPECT_EQ(r.outcome, Outcome::kTooLarge);
  EXPECT_NE(r.detail.find("max_header_bytes"), std::string::npos) << r.detail;
  EXPECT_LE(r.header_bytes, probe::kDefaultMaxHeaderBytes);
}

TEST_F(ProbeHttpTest, GzipBombIsStoppedAtMaxBodyBytesAfterDecoding) {
  auto spec = Spec(server.HttpUrl("/gzip-bomb"));
  spec.max_body_bytes = 1 << 20;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge);
  EXPECT_LE(r.body_bytes, 1u << 20);
  // Stopped long before the 100 MiB it would inflate to.
  EXPECT_LT(r.bytes, 200'000u);
}

TEST_F(ProbeHttpTest, GzipBodyIsDecodedForAssertions) {
  auto spec = Spec(server.HttpUrl("/gzip"));
  spec.keyword = "tocsin-gzip-marker";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.body_bytes, 4096u);
  EXPECT_LT(r.bytes, r.body_bytes);
}

TEST_F(ProbeHttpTest, BrokenChunkedEncodingIsProtocolError) {
  EXPECT_EQ(runner.Run(Spec(server.HttpUrl("/bad-chunked"))).outcome, Outcome::kProtocolError);
}

TEST_F(ProbeHttpTest, ResetConnectionIsProtocolError) {
  auto r = runner.Run(Spec(server.HttpUrl("/reset")));
  EXPECT_EQ(r.outcome, Outcome::kProtocolError);
  EXPECT_EQ(r.detail, "connection reset by the server");
}

TEST_F(ProbeHttpTest, CloseWithoutResponseIsProtocolError) {
  auto r = runner.Run(Spec(server.HttpUrl("/close")));
  EXPECT_EQ(r.outcome, Outcome::kProtocolError);
  EXPECT_EQ(r.detail, "the server closed the connection without a response");
}

TEST_F(ProbeHttpTest, GarbageResponseIsProtocolError) {
  EXPECT_EQ(runner.Run(Spec(server.HttpUrl("/garbage"))).outcome, Outcome::kProtocolError);
}

TEST_F(ProbeHttpTest, RedirectLoopIsDetected) {
  auto r = runner.Run(Spec(server.HttpUrl("/redirect-loop")));
  EXPECT_EQ(r.outcome, Outcome::kRedirectLoop);
  EXPECT_NE(r.detail.find("redirect loop"), std::string::npos) << r.detail;
}

TEST_F(ProbeHttpTest, RedirectChainIsFollowedAndCounted) {
  auto r = runner.Run(Spec(server.HttpUrl("/redirect-chain?n=3")));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.redirects, 3);
  EXPECT_EQ(r.url, server.HttpUrl("/redirect-chain?n=0"));
  EXPECT_GT(r.timings.redirect, 0);
}

TEST_F(ProbeHttpTest, TooManyRedirectsIsRedirectLoop) {
  auto spec = Spec(server.HttpUrl("/redirect-chain?n=6"));
  spec.max_redirects = 5;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kRedirectLoop);
  EXPECT_EQ(r.detail, "more than 5 redirects");
}

TEST_F(ProbeHttpTest, RedirectsAreNotFollowedWhenMaxIsZero) {
  auto spec = Spec(server.HttpUrl("/redirect-chain?n=1"));
  spec.max_redirects = 0;
  spec.expect_status = "302";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.redirects, 0);
}

TEST_F(ProbeHttpTest, RedirectToAnotherSchemeIsRefused) {
  auto r = runner.Run(Spec(server.HttpUrl("/redirect?to=file:///etc/passwd")));
  EXPECT_EQ(r.outcome, Outcome::kProtocolError);
  EXPECT_NE(r.detail.find("only http and https"), std::string::npos) << r.detail;
}

TEST_F(ProbeHttpTest, KeywordAssertions) {
  auto spec = Spec(server.HttpUrl("/ok"));
  spec.keyword = "tocsin-ok-marker";
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kOk);
  spec.keyword = "absent-marker";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kAssertionFailed);
  EXPECT_EQ(r.detail, "keyword 'absent-marker' not found in the body (2048 bytes)");
  spec.keyword.clear();
  spec.not_keyword = "tocsin-ok-marker";
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kAssertionFailed);
}

TEST_F(ProbeHttpTest, RegexAssertions) {
  auto spec = Spec(server.HttpUrl("/json"));
  spec.regex = R"re("status"\s*:\s*"up")re";
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kOk);
  spec.regex = R"re("version"\s*:\s*[4-9])re";
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kAssertionFailed);
  spec.regex.clear();
  spec.not_regex = R"re("db"\s*:\s*"ok")re";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kAssertionFailed);
  EXPECT_NE(r.detail.find("forbidden regex"), std::string::npos);
}

TEST_F(ProbeHttpTest, MethodHeadersBodyAndBasicAuthAreSent) {
  auto spec = Spec(server.HttpUrl("/echo"));
  spec.method = "put";
  spec.headers = {"X-Tocsin-Test: abc123"};
  spec.body = "hello-body";
  spec.basic_auth = "user:pw";
  // The echo server answers with what it received, as JSON; header order
  // is curl's, so each part is a lookahead.
  spec.regex = R"re(^(?=.*"method": "PUT")(?=.*"x-tocsin-test": "abc123"))re"
               R"re((?=.*"authorization": "Basic dXNlcjpwdw==")(?=.*"body": "hello-body"))re";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
}

TEST_F(ProbeHttpTest, HeadRequestHasNoBody) {
  auto spec = Spec(server.HttpUrl("/ok"));
  spec.method = "HEAD";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.body_bytes, 0u);
}

TEST_F(ProbeHttpTest, BasicAuthIsNotSentToAnotherHostAfterRedirect) {
  const std::string other = "http://other.tocsin.test:" + std::to_string(server.http) + "/echo";
  auto spec = Spec(server.HttpUrl("/redirect?to=" + other));
  spec.basic_auth = "user:pw";
  spec.headers = {"Authorization: Bearer secret", "X-Keep: yes"};
  spec.keyword = "\"x-keep\": \"yes\"";
  spec.not_keyword = "authorization";
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.host, "other.tocsin.test");
}

TEST_F(ProbeHttpTest, PostRedirectedBy302BecomesGet) {
  auto spec = Spec(server.HttpUrl("/redirect?to=/echo"));
  spec.method = "POST";
  spec.body = "payload";
  spec.keyword = "\"method\": \"GET\"";
  EXPECT_EQ(runner.Run(spec).outcome, Outcome::kOk);
}

TEST_F(ProbeHttpTest, HundredsOfChecksRunConcurrentlyOnOneShard) {
  // 200 checks each waiting 1 s for their first byte, with a 4 s timeout:
  // they can only all pass if they are in flight together.
  std::vector<probe::CheckSpec> specs;
  for (int i = 0; i < 200; ++i) {
    auto spec = Spec(server.HttpUrl("/delay?ms=1000"));
    spec.timeout = 4'000'000;
    specs.push_back(spec);
  }
  auto results = runner.RunAll(specs);
  ASSERT_EQ(results.size(), 200u);
  for (const auto& r : results) ASSERT_EQ(r.outcome, Outcome::kOk) << r.detail;
  const auto stats = runner.engine().stats();
  EXPECT_EQ(stats.by_outcome[static_cast<int>(Outcome::kOk)], 200u);
  EXPECT_EQ(stats.in_flight, 0u);
}

}  // namespace
}  // namespace tocsin::testing
