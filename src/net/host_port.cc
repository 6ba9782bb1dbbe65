#include "net/host_port.h"

#include <charconv>

namespace tocsin::net {
namespace {

constexpr uint32_t kMaxPort = 65'535;
constexpr uint16_t kDnsPort = 53;

Error Bad(std::string_view what, std::string_view text, std::string_view why,
          std::string_view expected) {
  return InvalidArgument("invalid " + std::string(what) + " '" + std::string(text) +
                         "': " + std::string(why) + " (" + std::string(expected) + ")");
}

Result<uint32_t> ParsePort(std::string_view text) {
  uint32_t port = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (text.empty() || ec != std::errc() || ptr != end || port > kMaxPort) {
    return InvalidArgument("the port is not a number from 0 to 65535");
  }
  return port;
}

}  // namespace

Result<HostPort> SplitHostPort(std::string_view text) {
  HostPort out;
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return InvalidArgument("missing ']'");
    host = text.substr(1, close - 1);
    out.bracketed = true;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return InvalidArgument("only ':PORT' may follow ']'");
      port = rest.substr(1);
    }
  } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    if (text.find(':', colon + 1) == std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }  // else: several colons, a bare IPv6 address without a port
  }
  out.host = std::string(host);
  if (port) {
    auto number = ParsePort(*port);
    if (!number.ok()) return number.error();
    out.port = *number;
  }
  return out;
}

std::string ListenAddress::ToString() const {
  return ip.ToUrlHost() + ":" + std::to_string(port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  constexpr std::string_view kExpected =
      "expected HOST:PORT, [IPV6]:PORT or :PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
  auto parts = SplitHostPort(text);
  if (!parts.ok()) return Bad("listen address", text, parts.error().message, kExpected);
  if (!parts->port) {
    return Bad("listen address", text,
               parts->host.find(':') != std::string::npos
                   ? "an IPv6 address goes in brackets, as in [::1]:8080"
                   : "no port",
               kExpected);
  }
  ListenAddress out;
  out.port = static_cast<uint16_t>(*parts->port);
  const std::string& host = parts->host;
  if (host.empty() && !parts->bracketed) {
    out.ip = IpAddress::V4(0);  // every IPv4 interface
    return out;
  }
  if (host == "localhost" && !parts->bracketed) {
    out.ip = IpAddress::V4(0x7f000001);
    return out;
  }
  const auto ip = IpAddress::ParseLiteral(host);
  // IPv4 only in canonical dotted form: 0x7f.1 is not an address to bind.
  const bool canonical =
      ip && (ip->is_v6() ? parts->bracketed : !parts->bracketed && ip->ToString() == host);
  if (!canonical) {
    const std::string why =
        parts->bracketed ? "'" + host + "' is not an IPv6 address"
                         : "'" + host + "' is not an IPv4 address or localhost (host names " +
                               "are not resolved to listen)";
    return Bad("listen address", text, why, kExpected);
  }
  out.ip = *ip;
  return out;
}

Result<ListenAddress> ParseDnsServer(std::string_view text) {
  constexpr std::string_view kExpected =
      "expected an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53";
  auto parts = SplitHostPort(text);
  if (!parts.ok()) return Bad("DNS server", text, parts.error().message, kExpected);
  const auto ip = IpAddress::ParseLiteral(parts->host);
  const bool canonical =
      ip && (ip->is_v6() || (!parts->bracketed && ip->ToString() == parts->host));
  if (!canonical) return Bad("DNS server", text, "not an IP address", kExpected);
  if (parts->port && *parts->port == 0) return Bad("DNS server", text, "port 0", kExpected);
  return ListenAddress{*ip, static_cast<uint16_t>(parts->port.value_or(kDnsPort))};
}

}  // namespace tocsin::net
