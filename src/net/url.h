// URL parsing and normalisation for monitored URLs: only http and https, a
// host is required, credentials are refused (they belong in basic_auth, not
// in a URL that is logged and stored), and numeric hosts are normalised.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "net/ip_address.h"

namespace tocsin::net {

// Longest URL accepted; browsers and servers commonly stop near 8 KiB.
inline constexpr size_t kMaxUrlLength = 8192;

struct Url {
  std::string scheme;      // "http" or "https"
  std::string host;        // lower case; IDN in punycode; IPv6 without brackets
  uint16_t port = 0;       // explicit or the scheme's default
  std::string target;      // path and query, e.g. "/a/b?c=d"; never empty
  std::string normalized;  // the whole URL as we will request it
  // Set when the host is an address literal in any spelling (normalised).
  std::optional<IpAddress> literal;

  bool is_https() const { return scheme == "https"; }
};

// Parses an absolute URL.
Result<Url> ParseUrl(std::string_view text);

// Resolves a redirect's Location against the URL that returned it, then
// parses the result as ParseUrl does.
Result<Url> ResolveRedirect(const Url& base, std::string_view location);

}  // namespace tocsin::net
