// IpAddress: an IPv4 or IPv6 address as a value, parsed from every numeric
// spelling a URL host may use, so that the address policy sees what the
// socket layer would connect to.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::net {

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);
  static std::optional<IpAddress> FromSockaddr(const sockaddr* sa);

  // Parses a host that is an address literal: dotted quad, the legacy
  // inet_aton forms (2130706433, 0177.0.0.1, 0x7f.1), and IPv6 with or
  // without brackets. Returns nullopt for a name that needs DNS. IPv6 zone
  // ids ("fe80::1%eth0") are not accepted.
  static std::optional<IpAddress> ParseLiteral(std::string_view host);

  bool is_v4() const { return family_ == AF_INET; }
  bool is_v6() const { return family_ == AF_INET6; }
  bool valid() const { return family_ != AF_UNSPEC; }
  int family() const { return family_; }
  uint32_t v4() const;  // REQUIRES: is_v4(); host byte order
  const std::array<uint8_t, 16>& v6() const { return bytes_; }  // REQUIRES: is_v6()

  // "192.0.2.1" or "2001:db8::1" (no brackets).
  std::string ToString() const;
  // As it goes in a URL or curl's CONNECT_TO: IPv6 in brackets.
  std::string ToUrlHost() const;

  bool operator==(const IpAddress&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};  // v4: first 4 bytes, network order
  int family_ = AF_UNSPEC;
};

}  // namespace tocsin::net
