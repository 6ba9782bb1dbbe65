#include "net/host_port.h"

#include <gtest/gtest.h>

namespace tocsin::net {
namespace {

TEST(HostPortTest, SplitsEveryForm) {
  auto v4 = SplitHostPort("192.0.2.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "192.0.2.1");
  EXPECT_EQ(v4->port, 8080u);
  EXPECT_FALSE(v4->bracketed);

  auto v6 = SplitHostPort("[2001:db8::1]:53");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->port, 53u);
  EXPECT_TRUE(v6->bracketed);

  auto name = SplitHostPort("mail.example.com:587");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "mail.example.com");
  EXPECT_EQ(name->port, 587u);

  auto bare_v6 = SplitHostPort("::1");
  ASSERT_TRUE(bare_v6.ok());
  EXPECT_EQ(bare_v6->host, "::1");
  EXPECT_FALSE(bare_v6->port.has_value());

  auto no_port = SplitHostPort("example.com");
  ASSERT_TRUE(no_port.ok());
  EXPECT_FALSE(no_port->port.has_value());

  auto empty_host = SplitHostPort(":9090");
  ASSERT_TRUE(empty_host.ok());
  EXPECT_EQ(empty_host->host, "");
  EXPECT_EQ(empty_host->port, 9090u);
}

TEST(HostPortTest, PortsFromZeroTo65535) {
  EXPECT_EQ(SplitHostPort("h:0")->port, 0u);
  EXPECT_EQ(SplitHostPort("h:65535")->port, 65535u);
  EXPECT_FALSE(SplitHostPort("h:65536").ok());
  EXPECT_FALSE(SplitHostPort("h:-1").ok());
  EXPECT_FALSE(SplitHostPort("h:").ok());
  EXPECT_FALSE(SplitHostPort("h:http").ok());
  EXPECT_FALSE(SplitHostPort("[::1]8080").ok());
  EXPECT_FALSE(SplitHostPort("[::1").ok());
}

TEST(ListenAddressTest, AcceptsIpv4Ipv6LocalhostAndEveryInterface) {
  auto v4 = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->ToString(), "127.0.0.1:8080");

  auto v6 = ParseListenAddress("[::1]:8080");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->ToString(), "[::1]:8080");

  auto localhost = ParseListenAddress("localhost:8080");
  ASSERT_TRUE(localhost.ok());
  EXPECT_EQ(localhost->ToString(), "127.0.0.1:8080");

  auto any = ParseListenAddress(":8080");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->ToString(), "0.0.0.0:8080");
}

TEST(ListenAddressTest, PortZeroAsksForAFreePort) {
  auto zero = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->port, 0);
}

TEST(ListenAddressTest, RefusesWhatCannotBeBound) {
  const auto message = [](std::string_view text) {
    auto r = ParseListenAddress(text);
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(message("myhost:8080"),
            "invalid listen address 'myhost:8080': 'myhost' is not an IPv4 address or localhost "
            "(host names are not resolved to listen) (expected HOST:PORT, [IPV6]:PORT or :PORT, "
            "e.g. 127.0.0.1:8080 or [::1]:8080)");
  EXPECT_NE(message("127.0.0.1").find("no port"), std::string::npos);
  EXPECT_NE(message("::1:8080").find("brackets"), std::string::npos);
  EXPECT_NE(message("127.0.0.1:65536").find("0 to 65535"), std::string::npos);
  EXPECT_NE(message("[127.0.0.1]:80").find("not an IPv6 address"), std::string::npos);
  EXPECT_NE(message("0x7f.1:80").find("not an IPv4 address"), std::string::npos);
}

TEST(DnsServerTest, PortIsOptionalAndDefaultsTo53) {
  EXPECT_EQ(ParseDnsServer("1.1.1.1")->ToString(), "1.1.1.1:53");
  EXPECT_EQ(ParseDnsServer("127.0.0.1:5353")->ToString(), "127.0.0.1:5353");
  EXPECT_EQ(ParseDnsServer("[::1]:53")->ToString(), "[::1]:53");
  EXPECT_EQ(ParseDnsServer("::1")->ToString(), "[::1]:53");
}

TEST(DnsServerTest, RefusesNamesPortZeroAndOddSpellings) {
  EXPECT_FALSE(ParseDnsServer("dns.example.com").ok());
  EXPECT_FALSE(ParseDnsServer("127.0.0.1:0").ok());
  EXPECT_FALSE(ParseDnsServer("127.0.0.1:65536").ok());
  EXPECT_FALSE(ParseDnsServer("0x7f.1").ok());
  EXPECT_FALSE(ParseDnsServer("[127.0.0.1]:53").ok());
}

}  // namespace
}  // namespace tocsin::net
