#include "net/address_policy.h"

#include <gtest/gtest.h>

#include "net/url.h"

namespace tocsin::net {
namespace {

AddressClass ClassOf(std::string_view literal) {
  auto a = IpAddress::ParseLiteral(literal);
  EXPECT_TRUE(a.has_value()) << literal;
  return a ? Classify(*a) : AddressClass::kPublic;
}

TEST(IpAddressTest, ParsesLegacyNumericIpv4Forms) {
  const auto loopback = IpAddress::V4(0x7f000001);
  EXPECT_EQ(IpAddress::ParseLiteral("2130706433"), loopback);
  EXPECT_EQ(IpAddress::ParseLiteral("0177.0.0.1"), loopback);
  EXPECT_EQ(IpAddress::ParseLiteral("0x7f.1"), loopback);
  EXPECT_EQ(IpAddress::ParseLiteral("0x7f000001"), loopback);
  EXPECT_EQ(IpAddress::ParseLiteral("127.1"), loopback);
}

TEST(IpAddressTest, NamesAreNotLiterals) {
  EXPECT_FALSE(IpAddress::ParseLiteral("example.com").has_value());
  EXPECT_FALSE(IpAddress::ParseLiteral("deadbeef.example").has_value());
  EXPECT_FALSE(IpAddress::ParseLiteral("abc").has_value());
  EXPECT_FALSE(IpAddress::ParseLiteral("1.2.3.4.5").has_value());
}

TEST(IpAddressTest, ParsesBracketedIpv6) {
  auto a = IpAddress::ParseLiteral("[::ffff:127.0.0.1]");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->is_v6());
  EXPECT_EQ(a->ToString(), "::ffff:127.0.0.1");
  EXPECT_EQ(a->ToUrlHost(), "[::ffff:127.0.0.1]");
}

TEST(AddressPolicyTest, ClassifiesIpv4Ranges) {
  EXPECT_EQ(ClassOf("127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("127.255.1.2"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("10.1.2.3"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("172.16.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("172.31.255.255"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("172.32.0.1"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("192.168.1.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("100.64.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("100.127.255.254"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("100.128.0.1"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("169.254.1.1"), AddressClass::kLinkLocal);
  EXPECT_EQ(ClassOf("169.254.169.254"), AddressClass::kMetadata);
  EXPECT_EQ(ClassOf("0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("0.1.2.3"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("224.0.0.1"), AddressClass::kMulticast);
  EXPECT_EQ(ClassOf("239.255.255.250"), AddressClass::kMulticast);
  EXPECT_EQ(ClassOf("255.255.255.255"), AddressClass::kBroadcast);
  EXPECT_EQ(ClassOf("192.0.2.10"), AddressClass::kReserved);
  EXPECT_EQ(ClassOf("93.184.215.14"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("8.8.8.8"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, ClassifiesIpv6Ranges) {
  EXPECT_EQ(ClassOf("::1"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("::"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("fd12:3456::1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("fc00::1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(ClassOf("ff02::1"), AddressClass::kMulticast);
  EXPECT_EQ(ClassOf("fd00:ec2::254"), AddressClass::kMetadata);
  EXPECT_EQ(ClassOf("2001:db8::1"), AddressClass::kReserved);
  EXPECT_EQ(ClassOf("2606:4700::1111"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, Ipv6FormsCarryingIpv4AreClassifiedByTheIpv4Address) {
  EXPECT_EQ(ClassOf("::ffff:127.0.0.1"), AddressClass::kLoopback);  // mapped
  EXPECT_EQ(ClassOf("::ffff:7f00:1"), AddressClass::kLoopback);     // mapped, hex
  EXPECT_EQ(ClassOf("::ffff:169.254.169.254"), AddressClass::kMetadata);
  EXPECT_EQ(ClassOf("::127.0.0.1"), AddressClass::kLoopback);        // compatible
  EXPECT_EQ(ClassOf("64:ff9b::10.0.0.1"), AddressClass::kPrivate);   // NAT64
  EXPECT_EQ(ClassOf("64:ff9b::7f00:1"), AddressClass::kLoopback);    // NAT64
  EXPECT_EQ(ClassOf("64:ff9b:1::8.8.8.8"), AddressClass::kPrivate);  // local-use NAT64
  EXPECT_EQ(ClassOf("2002:7f00:1::"), AddressClass::kLoopback);      // 6to4
  EXPECT_EQ(ClassOf("2002:a9fe:a9fe::1"), AddressClass::kMetadata);  // 6to4
  EXPECT_EQ(ClassOf("2001:0:4136:e378:8000:63bf:80ff:fffe"),
            AddressClass::kLoopback);  // Teredo, client 127.0.0.1 inverted
  EXPECT_EQ(ClassOf("::ffff:8.8.8.8"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, DefaultPolicyBlocksEveryNumericLoopbackSpelling) {
  const AddressPolicy policy;
  for (const char* url : {"http://127.0.0.1/", "http://2130706433/", "http://0177.0.0.1/",
                          "http://0x7f.1/", "http://[::ffff:127.0.0.1]/", "http://[::1]/",
                          "http://127.1/", "http://0x7f000001/", "http://[::ffff:7f00:1]/"}) {
    auto parsed = ParseUrl(url);
    ASSERT_TRUE(parsed.ok()) << url << ": " << parsed.error().message;
    ASSERT_TRUE(parsed->literal.has_value()) << url;
    Status s = policy.Check(*parsed->literal);
    EXPECT_FALSE(s.ok()) << url;
  }
}

TEST(AddressPolicyTest, DefaultPolicyAllowsPublicAddresses) {
  EXPECT_TRUE(AddressPolicy().Check(*IpAddress::ParseLiteral("93.184.215.14")).ok());
  EXPECT_TRUE(AddressPolicy().Check(*IpAddress::ParseLiteral("2606:4700::1111")).ok());
}

TEST(AddressPolicyTest, BlockMessageNamesAddressAndClass) {
  Status s = AddressPolicy().Check(*IpAddress::ParseLiteral("10.0.0.5"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("10.0.0.5 is a private address"), std::string::npos)
      << s.error().message;
}

TEST(AddressPolicyTest, AllowPrivateLiftsPrivateButNotMetadata) {
  const AddressPolicy policy(AddressPolicyOptions{.allow_private = true});
  EXPECT_TRUE(policy.Check(*IpAddress::ParseLiteral("127.0.0.1")).ok());
  EXPECT_TRUE(policy.Check(*IpAddress::ParseLiteral("192.168.0.10")).ok());
  EXPECT_TRUE(policy.Check(*IpAddress::ParseLiteral("fd00::1")).ok());
  EXPECT_FALSE(policy.Check(*IpAddress::ParseLiteral("169.254.169.254")).ok());
  EXPECT_FALSE(policy.Check(*IpAddress::ParseLiteral("::ffff:169.254.169.254")).ok());
  EXPECT_FALSE(policy.Check(*IpAddress::ParseLiteral("0.0.0.0")).ok());
  EXPECT_FALSE(policy.Check(*IpAddress::ParseLiteral("224.0.0.1")).ok());
  EXPECT_FALSE(policy.Check(*IpAddress::ParseLiteral("255.255.255.255")).ok());
}

TEST(AddressPolicyTest, AllowedPrefixLiftsOnlyThatPrefix) {
  auto prefix = Prefix::Parse("127.0.0.2/32");
  ASSERT_TRUE(prefix.ok());
  const AddressPolicy policy(AddressPolicyOptions{.allow = {*prefix}});
  EXPECT_TRUE(policy.Check(*IpAddress::ParseLiteral("127.0.0.2")).ok());
  EXPECT_FALSE(policy.Check(*IpAddress::ParseLiteral("127.0.0.1")).ok());
}

TEST(AddressPolicyTest, PrefixParsesAndMatchesIpv6) {
  auto prefix = Prefix::Parse("fd00:1234::/32");
  ASSERT_TRUE(prefix.ok());
  EXPECT_TRUE(prefix->Contains(*IpAddress::ParseLiteral("fd00:1234:5::1")));
  EXPECT_FALSE(prefix->Contains(*IpAddress::ParseLiteral("fd00:1235::1")));
  EXPECT_FALSE(prefix->Contains(*IpAddress::ParseLiteral("10.0.0.1")));
}

TEST(AddressPolicyTest, PrefixRejectsMalformedInput) {
  EXPECT_FALSE(Prefix::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(Prefix::Parse("10.0.0/8").ok());
  EXPECT_FALSE(Prefix::Parse("0x0a.0.0.0/8").ok());
  EXPECT_FALSE(Prefix::Parse("example.com/8").ok());
  EXPECT_FALSE(Prefix::Parse("10.0.0.0/x").ok());
}

}  // namespace
}  // namespace tocsin::net
