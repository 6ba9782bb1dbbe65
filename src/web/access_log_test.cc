// The access log keeps promise 4 (docs/privacy.md): addresses cut to their
// network, routes instead of paths (no token, id or query), no cookie, no
// Authorization; and the client address behind a trusted proxy.
#include "web/access_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/temp_dir.h"

namespace tocsin::web {
namespace {

std::vector<net::Prefix> Prefixes(std::initializer_list<const char*> texts) {
  std::vector<net::Prefix> out;
  for (const char* t : texts) out.push_back(*net::Prefix::Parse(t));
  return out;
}

TEST(AccessLogTest, AddressesAreCutToTheirNetwork) {
  EXPECT_EQ(TruncatedAddress("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(TruncatedAddress("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(TruncatedAddress("::1"), "::");
  EXPECT_EQ(TruncatedAddress("not an address"), "-");
  EXPECT_EQ(TruncatedAddress(""), "-");
}

TEST(AccessLogTest, TheLineHoldsTheRouteNotThePath) {
  const std::string line = FormatAccess({"198.51.100.23", "GET", "/confirm/{token}", 200, 512,
                                         2'100, "Mozilla/5.0 \"x\"\n\x01", 1'780'000'000});
  EXPECT_EQ(line,
            "2026-05-28T20:26:40Z 198.51.100.0 \"GET /confirm/{token}\" 200 512 2.1ms "
            "\"Mozilla/5.0 ?x???\"");
  EXPECT_EQ(FormatAccess({"198.51.100.23", "GET", "", 404, 10, 0, "", 0}).find("\"GET -\""), 34u);
}

TEST(AccessLogTest, ForwardedForIsBelievedFromTrustedProxiesOnly) {
  const auto proxies = Prefixes({"10.0.0.0/8"});
  // Not a proxy: its header is ignored.
  EXPECT_EQ(ClientAddress("198.51.100.9", "203.0.113.5", proxies), "198.51.100.9");
  // A proxy: the nearest address not a proxy.
  EXPECT_EQ(ClientAddress("10.0.0.2", "203.0.113.5", proxies), "203.0.113.5");
  EXPECT_EQ(ClientAddress("10.0.0.2", "192.0.2.66, 203.0.113.5, 10.0.0.7", proxies), "203.0.113.5");
  // What a client wrote to the left of its own address is not believed.
  EXPECT_EQ(ClientAddress("10.0.0.2", "1.2.3.4, 203.0.113.5", proxies), "203.0.113.5");
  // Garbage: the proxy itself.
  EXPECT_EQ(ClientAddress("10.0.0.2", "<script>", proxies), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.2", "", proxies), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.2", "203.0.113.5", {}), "10.0.0.2");
}

TEST(AccessLogTest, WritesOneLinePerEntryToAFile) {
  TempDir dir("tocsin-access-log-test");
  const std::string path = dir.path() + "/access.log";
  {
    auto log = AccessLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.error().message;
    (*log)->Write({"192.0.2.1", "GET", "/healthz", 200, 3, 50, "curl", 0});
    (*log)->Write({"192.0.2.1", "POST", "/api/v1/session", 401, 80, 90'000, "curl", 0});
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "1970-01-01T00:00:00Z 192.0.2.0 \"GET /healthz\" 200 3 0.1ms \"curl\"\n"
            "1970-01-01T00:00:00Z 192.0.2.0 \"POST /api/v1/session\" 401 80 90.0ms \"curl\"\n");
  EXPECT_FALSE(AccessLog::Open(dir.path() + "/no/such/dir/access.log").ok());
}

}  // namespace
}  // namespace tocsin::web
