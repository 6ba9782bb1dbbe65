// The one parser of "host:port" text in Tocsin: the listen address (config,
// --listen, the HTTP server), DNS servers, and later the SMTP server all
// read through it, so they agree on what they accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "net/ip_address.h"

namespace tocsin::net {

// The parts of "host:port", "[v6]:port", ":port", "host", "[v6]" or a bare
// IPv6 address.
struct HostPort {
  std::string host;  // without brackets; empty for ":port"
  bool bracketed = false;
  std::optional<uint32_t> port;  // as written, 0 to 65535
};

// Splits `text`. Fails on unbalanced brackets, something other than ":port"
// after them, a port that is not a number from 0 to 65535, or an empty
// port after a colon. Says nothing about whether the host is valid.
Result<HostPort> SplitHostPort(std::string_view text);

// An address to listen on: HOST:PORT where HOST is an IPv4 address,
// "localhost" (127.0.0.1) or empty (every IPv4 interface), or [IPV6]:PORT.
// Port 0 asks the system for a free port. Host names other than localhost
// are refused: a server binds addresses, and resolving a name at start
// would make the bound address depend on DNS.
struct ListenAddress {
  IpAddress ip;
  uint16_t port = 0;
  std::string ToString() const;  // "127.0.0.1:8080", "[::1]:8080"
};
Result<ListenAddress> ParseListenAddress(std::string_view text);

// A DNS server: an IP address with an optional port (default 53), IPv6 in
// brackets when a port follows: "127.0.0.1:5353", "1.1.1.1", "[::1]:53",
// "::1". IPv4 in canonical dotted form only (what c-ares reads).
Result<ListenAddress> ParseDnsServer(std::string_view text);

}  // namespace tocsin::net
