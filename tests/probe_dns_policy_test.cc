// DNS through c-ares (against the target's DNS server) and the address
// policy applied to everything the engine would connect to.
#include <gtest/gtest.h>

#include <thread>

#include "support/engine_runner.h"

namespace tocsin::testing {
namespace {

using probe::Outcome;

class ProbeDnsPolicyTest : public ::testing::Test {
 protected:
  std::string NameUrl(const std::string& host, const std::string& path = "/ok") {
    return "http://" + host + ":" + std::to_string(server.http) + path;
  }
  const TargetServer& server = TargetServer::Get();
};

TEST_F(ProbeDnsPolicyTest, NameResolvesAndIsCachedForItsTtl) {
  EngineRunner runner;
  auto first = runner.Run(Spec(NameUrl("cache.tocsin.test")));
  ASSERT_EQ(first.outcome, Outcome::kOk) << first.detail;
  EXPECT_FALSE(first.dns_cached);
  EXPECT_GT(first.timings.dns, 0);
  EXPECT_EQ(first.ip.ToString(), "127.0.0.2");
  auto second = runner.Run(Spec(NameUrl("cache.tocsin.test")));
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.detail;
  EXPECT_TRUE(second.dns_cached);
  const auto stats = runner.engine().stats();
  EXPECT_EQ(stats.dns_queries, 1u);
  EXPECT_EQ(stats.dns_cache_hits, 1u);
}

TEST_F(ProbeDnsPolicyTest, ExpiredTtlIsQueriedAgain) {
  EngineRunner runner;
  ASSERT_EQ(runner.Run(Spec(NameUrl("ttl1.tocsin.test"))).outcome, Outcome::kOk);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the record's 1 s TTL
  auto again = runner.Run(Spec(NameUrl("ttl1.tocsin.test")));
  ASSERT_EQ(again.outcome, Outcome::kOk) << again.detail;
  EXPECT_FALSE(again.dns_cached);
  EXPECT_EQ(runner.engine().stats().dns_queries, 2u);
}

TEST_F(ProbeDnsPolicyTest, ConcurrentLookupsOfOneNameShareOneQuery) {
  EngineRunner runner;
  std::vector<probe::CheckSpec> specs(20, Spec(NameUrl("shared.tocsin.test")));
  for (const auto& r : runner.RunAll(specs)) EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(runner.engine().stats().dns_queries, 1u);
}

TEST_F(ProbeDnsPolicyTest, NxdomainIsDnsError) {
  EngineRunner runner;
  auto r = runner.Run(Spec(NameUrl("nx.tocsin.test")));
  EXPECT_EQ(r.outcome, Outcome::kDnsError);
  EXPECT_NE(r.detail.find("NXDOMAIN"), std::string::npos) << r.detail;
}

TEST_F(ProbeDnsPolicyTest, UnansweredQueryIsDnsError) {
  EngineRunner runner;
  auto r = runner.Run(Spec(NameUrl("slow.tocsin.test")));
  EXPECT_EQ(r.outcome, Outcome::kDnsError);
  EXPECT_NE(r.detail.find("DNS timeout"), std::string::npos) << r.detail;
}

TEST_F(ProbeDnsPolicyTest, CheckTimeoutDuringDnsIsDnsError) {
  auto options = TargetEngineOptions();
  options.resolver.query_timeout = 5'000'000;  // longer than the check's timeout
  EngineRunner runner(options);
  auto spec = Spec(NameUrl("slow.tocsin.test"));
  spec.timeout = 200'000;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kDnsError);
  EXPECT_GE(r.timings.dns, 200'000);
  EXPECT_LT(r.timings.total, 2'000'000);
}

TEST_F(ProbeDnsPolicyTest, Ipv6OnlyNameHonoursIpVersion) {
  EngineRunner runner;
  auto spec = Spec(NameUrl("v6.tocsin.test"));
  spec.ip_version = probe::IpVersion::kV4;
  auto r = runner.Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kDnsError);
  EXPECT_NE(r.detail.find("no address records"), std::string::npos) << r.detail;
  spec.ip_version = probe::IpVersion::kAuto;
  r = runner.Run(spec);  // ::1 is loopback: refused by the test policy
  EXPECT_EQ(r.outcome, Outcome::kBlockedAddress);
  EXPECT_EQ(r.ip.ToString(), "::1");
}

TEST_F(ProbeDnsPolicyTest, NameResolvingToLoopbackIsBlocked) {
  EngineRunner runner;
  auto r = runner.Run(Spec(NameUrl("loop.tocsin.test")));
  EXPECT_EQ(r.outcome, Outcome::kBlockedAddress);
  EXPECT_NE(r.detail.find("127.0.0.1 is a loopback address"), std::string::npos) << r.detail;
}

TEST_F(ProbeDnsPolicyTest, AllowedAddressIsChosenAmongResolvedOnes) {
  EngineRunner runner;  // multi.tocsin.test -> 127.0.0.1 (blocked), 127.0.0.2 (allowed)
  auto r = runner.Run(Spec(NameUrl("multi.tocsin.test")));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.ip.ToString(), "127.0.0.2");
}

TEST_F(ProbeDnsPolicyTest, RedirectToLoopbackIsBlocked) {
  EngineRunner runner;
  const std::string target = "http://127.0.0.1:" + std::to_string(server.http) + "/ok";
  auto r = runner.Run(Spec(server.HttpUrl("/redirect?to=" + target)));
  EXPECT_EQ(r.outcome, Outcome::kBlockedAddress);
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.ip.ToString(), "127.0.0.1");
}

TEST_F(ProbeDnsPolicyTest, RedirectToNameResolvingToLoopbackIsBlocked) {
  EngineRunner runner;
  const std::string target = NameUrl("loop.tocsin.test");
  EXPECT_EQ(runner.Run(Spec(server.HttpUrl("/redirect?to=" + target))).outcome,
            Outcome::kBlockedAddress);
}

TEST_F(ProbeDnsPolicyTest, RedirectToMetadataIsBlockedEvenWithAllowPrivate) {
  auto options = TargetEngineOptions();
  options.address_policy.allow_private = true;
  EngineRunner runner(options);
  auto r =
      runner.Run(Spec(server.HttpUrl("/redirect?to=http://169.254.169.254/latest/meta-data/")));
  EXPECT_EQ(r.outcome, Outcome::kBlockedAddress);
  EXPECT_NE(r.detail.find("cloud metadata"), std::string::npos) << r.detail;
}

TEST_F(ProbeDnsPolicyTest, EveryNumericSpellingOfLoopbackIsBlocked) {
  EngineRunner runner;
  const std::string port = ":" + std::to_string(server.http);
  for (const std::string host :
       {"127.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001",
        "[::ffff:127.0.0.1]", "[::1]", "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"}) {
    auto r = runner.Run(Spec("http://" + host + port + "/ok"));
    EXPECT_EQ(r.outcome, Outcome::kBlockedAddress) << host << ": " << r.detail;
    EXPECT_EQ(r.timings.connect, 0) << host;
  }
}

TEST_F(ProbeDnsPolicyTest, AllowPrivateLetsLoopbackThrough) {
  auto options = TargetEngineOptions();
  options.address_policy.allow_private = true;
  EngineRunner runner(options);
  auto r = runner.Run(Spec("http://0x7f.2:" + std::to_string(server.http) + "/ok"));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.detail;
  EXPECT_EQ(r.ip.ToString(), "127.0.0.2");
}

}  // namespace
}  // namespace tocsin::testing
