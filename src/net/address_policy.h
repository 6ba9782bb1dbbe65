// The address policy (SSRF guard): monitored URLs are user input aimed from
// inside our network, so every address we are about to connect to, after DNS
// and after each redirect, is classified and checked here first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/ip_address.h"

namespace tocsin::net {

enum class AddressClass {
  kPublic,
  kLoopback,     // 127/8, ::1
  kPrivate,      // RFC 1918, CGNAT 100.64/10, IPv6 ULA fc00::/7, site-local
  kLinkLocal,    // 169.254/16, fe80::/10
  kMetadata,     // cloud instance metadata: 169.254.169.254, fd00:ec2::254, 100.100.100.200
  kUnspecified,  // 0.0.0.0/8, ::
  kMulticast,    // 224/4, ff00::/8
  kBroadcast,    // 255.255.255.255
  kReserved,     // documentation, benchmarking, 240/4, IETF protocol assignments
};

std::string_view AddressClassName(AddressClass c);

// Classifies an address. IPv6 forms that carry an IPv4 address (mapped
// ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
// 6to4 2002::/16, Teredo 2001::/32) are classified by the IPv4 address they
// lead to.
AddressClass Classify(const IpAddress& address);

// A CIDR prefix such as "10.1.0.0/16" or "fd00::/8".
struct Prefix {
  IpAddress base;
  int length = 0;
  static Result<Prefix> Parse(std::string_view text);
  bool Contains(const IpAddress& address) const;
};

struct AddressPolicyOptions {
  // Lifts the rule against loopback, private, link-local and reserved
  // addresses, for operators who monitor their own network. Metadata,
  // unspecified, multicast and broadcast addresses stay blocked.
  bool allow_private = false;
  // Prefixes allowed whatever their class: the narrow alternative to
  // allow_private ("10.20.0.0/16 is our intranet").
  std::vector<Prefix> allow;
};

class AddressPolicy {
 public:
  AddressPolicy() = default;
  explicit AddressPolicy(AddressPolicyOptions options) : options_(std::move(options)) {}

  // OK, or an error whose message says which address, why, and how to lift it.
  Status Check(const IpAddress& address) const;

  const AddressPolicyOptions& options() const { return options_; }

 private:
  AddressPolicyOptions options_;
};

}  // namespace tocsin::net
