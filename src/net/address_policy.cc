#include "net/address_policy.h"

#include <charconv>
#include <cstring>

namespace tocsin::net {
namespace {

struct V4Range {
  uint32_t base;
  int length;
  AddressClass cls;
};

constexpr uint32_t Ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

// Most specific first: the first match wins.
constexpr V4Range kV4Ranges[] = {
    {Ip4(169, 254, 169, 254), 32, AddressClass::kMetadata},
    {Ip4(100, 100, 100, 200), 32, AddressClass::kMetadata},
    {Ip4(255, 255, 255, 255), 32, AddressClass::kBroadcast},
    {Ip4(0, 0, 0, 0), 8, AddressClass::kUnspecified},
    {Ip4(10, 0, 0, 0), 8, AddressClass::kPrivate},
    {Ip4(100, 64, 0, 0), 10, AddressClass::kPrivate},
    {Ip4(127, 0, 0, 0), 8, AddressClass::kLoopback},
    {Ip4(169, 254, 0, 0), 16, AddressClass::kLinkLocal},
    {Ip4(172, 16, 0, 0), 12, AddressClass::kPrivate},
    {Ip4(192, 0, 0, 0), 24, AddressClass::kReserved},
    {Ip4(192, 0, 2, 0), 24, AddressClass::kReserved},
    {Ip4(192, 88, 99, 0), 24, AddressClass::kReserved},
    {Ip4(192, 168, 0, 0), 16, AddressClass::kPrivate},
    {Ip4(198, 18, 0, 0), 15, AddressClass::kReserved},
    {Ip4(198, 51, 100, 0), 24, AddressClass::kReserved},
    {Ip4(203, 0, 113, 0), 24, AddressClass::kReserved},
    {Ip4(224, 0, 0, 0), 4, AddressClass::kMulticast},
    {Ip4(240, 0, 0, 0), 4, AddressClass::kReserved},
};

bool InV4Prefix(uint32_t address, uint32_t base, int length) {
  if (length == 0) return true;
  const uint32_t mask = length >= 32 ? 0xffffffffu : ~(0xffffffffu >> length);
  return (address & mask) == (base & mask);
}

AddressClass ClassifyV4(uint32_t a) {
  for (const V4Range& r : kV4Ranges) {
    if (InV4Prefix(a, r.base, r.length)) return r.cls;
  }
  return AddressClass::kPublic;
}

bool BytesPrefixEqual(const std::array<uint8_t, 16>& b, std::initializer_list<uint8_t> prefix) {
  size_t i = 0;
  for (uint8_t p : prefix) {
    if (b[i++] != p) return false;
  }
  return true;
}

uint32_t V4At(const std::array<uint8_t, 16>& b, size_t offset) {
  return (uint32_t{b[offset]} << 24) | (uint32_t{b[offset + 1]} << 16) |
         (uint32_t{b[offset + 2]} << 8) | b[offset + 3];
}

AddressClass ClassifyV6(const std::array<uint8_t, 16>& b) {
  static constexpr std::array<uint8_t, 16> kZero{};
  std::array<uint8_t, 16> loopback{};
  loopback[15] = 1;
  if (b == kZero) return AddressClass::kUnspecified;
  if (b == loopback) return AddressClass::kLoopback;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
  const bool first_80_zero = std::memcmp(b.data(), kZero.data(), 10) == 0;
  if (first_80_zero && b[10] == 0xff && b[11] == 0xff) return ClassifyV4(V4At(b, 12));
  if (first_80_zero && b[10] == 0 && b[11] == 0) return ClassifyV4(V4At(b, 12));
  // NAT64 well-known prefix 64:ff9b::/96 and local-use 64:ff9b:1::/48.
  if (BytesPrefixEqual(b, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    return ClassifyV4(V4At(b, 12));
  }
  if (BytesPrefixEqual(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) {
    const AddressClass c = ClassifyV4(V4At(b, 12));
    return c == AddressClass::kPublic ? AddressClass::kPrivate : c;
  }
  // 6to4 2002:AABB:CCDD::/48 embeds AA.BB.CC.DD.
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(V4At(b, 2));
  // Teredo 2001:0::/32: the client address is the last 32 bits inverted.
  if (BytesPrefixEqual(b, {0x20, 0x01, 0x00, 0x00})) return ClassifyV4(~V4At(b, 12));
  if (BytesPrefixEqual(b, {0xfd, 0x00, 0x0e, 0xc2}) && V4At(b, 12) == 0x254 &&
      std::memcmp(b.data() + 4, kZero.data(), 8) == 0) {
    return AddressClass::kMetadata;  // fd00:ec2::254 (AWS IMDS over IPv6)
  }
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::kPrivate;                           // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;         // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::kPrivate;           // fec0::/10
  if (b[0] == 0xff) return AddressClass::kMulticast;                                  // ff00::/8
  if (BytesPrefixEqual(b, {0x20, 0x01, 0x0d, 0xb8})) return AddressClass::kReserved;  // docs
  if (BytesPrefixEqual(b, {0x01, 0x00, 0, 0, 0, 0, 0, 0})) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

bool LiftedByAllowPrivate(AddressClass c) {
  switch (c) {
    case AddressClass::kLoopback:
    case AddressClass::kPrivate:
    case AddressClass::kLinkLocal:
    case AddressClass::kReserved:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMetadata:
      return "cloud metadata";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "unknown";
}

AddressClass Classify(const IpAddress& address) {
  return address.is_v4() ? ClassifyV4(address.v4()) : ClassifyV6(address.v6());
}

Result<Prefix> Prefix::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string_view addr_text = text.substr(0, slash);
  auto addr = IpAddress::ParseLiteral(addr_text);
  // Only canonical spellings here: an operator's allow-list is no place for 0x7f.1.
  if (!addr || (addr->is_v4() && addr->ToString() != addr_text)) {
    return InvalidArgument("invalid address prefix '" + std::string(text) +
                           "' (expected e.g. 10.1.0.0/16 or fd00::/8)");
  }
  const int max_len = addr->is_v4() ? 32 : 128;
  int length = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
    if (ec != std::errc() || ptr != len_text.data() + len_text.size() || length < 0 ||
        length > max_len) {
      return InvalidArgument("invalid prefix length in '" + std::string(text) + "'");
    }
  }
  return Prefix{*addr, length};
}

bool Prefix::Contains(const IpAddress& address) const {
  if (address.family() != base.family()) return false;
  if (address.is_v4()) return InV4Prefix(address.v4(), base.v4(), length);
  const auto& a = address.v6();
  const auto& b = base.v6();
  int bits = length;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

Status AddressPolicy::Check(const IpAddress& address) const {
  for (const Prefix& p : options_.allow) {
    if (p.Contains(address)) return {};
  }
  const AddressClass c = Classify(address);
  if (c == AddressClass::kPublic) return {};
  if (options_.allow_private && LiftedByAllowPrivate(c)) return {};
  std::string message = address.ToString() + " is a " + std::string(AddressClassName(c)) +
                        " address, blocked by the address policy";
  if (LiftedByAllowPrivate(c)) {
    message += " (allow_private or an allowed prefix lifts this)";
  } else {
    message += " (only an explicitly allowed prefix lifts this)";
  }
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

}  // namespace tocsin::net
