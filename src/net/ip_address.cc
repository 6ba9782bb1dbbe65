#include "net/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace tocsin::net {

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress a;
  a.family_ = AF_INET;
  uint32_t n = htonl(host_order);
  std::memcpy(a.bytes_.data(), &n, 4);
  return a;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = AF_INET6;
  a.bytes_ = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, sa, sizeof(in));
    return V4(ntohl(in.sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, sa, sizeof(in6));
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), &in6.sin6_addr, 16);
    return V6(b);
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::ParseLiteral(std::string_view host) {
  if (host.empty() || host.size() > 64) return std::nullopt;
  if (host.front() == '[') {
    if (host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  const std::string text(host);
  if (text.find(':') != std::string::npos) {
    in6_addr a6;
    if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) return std::nullopt;
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), &a6, 16);
    return V6(b);
  }
  // inet_aton accepts exactly the legacy forms browsers and libc resolvers
  // accept: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x). Only
  // hand it strings made of those characters, so a name such as "0x.example"
  // is never mistaken for an address.
  for (char c : text) {
    const bool allowed = (c >= '0' && c <= '9') || c == '.' || c == 'x' || c == 'X' ||
                         (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!allowed) return std::nullopt;
  }
  const bool starts_like_number = text[0] >= '0' && text[0] <= '9';
  if (!starts_like_number) return std::nullopt;
  in_addr a4;
  if (inet_aton(text.c_str(), &a4) == 0) return std::nullopt;
  return V4(ntohl(a4.s_addr));
}

uint32_t IpAddress::v4() const {
  uint32_t n;
  std::memcpy(&n, bytes_.data(), 4);
  return ntohl(n);
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes_.data(), buf, sizeof(buf));
  } else if (is_v6()) {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
  }
  return buf;
}

std::string IpAddress::ToUrlHost() const {
  return is_v6() ? "[" + ToString() + "]" : ToString();
}

}  // namespace tocsin::net
