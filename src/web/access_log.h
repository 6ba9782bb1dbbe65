// The operator's access log: one line per request, for traffic statistics
// and nothing more (docs/privacy.md, promise 4). The client address is cut
// to its network (IPv4 /24, IPv6 /48); the path is written as the route it
// matched ("/api/v1/monitors/{id}", "/confirm/{token}"), never as sent, so
// no token, id or query string lands in it; no cookie, no Authorization, no
// user id.
//
//   2026-11-29T19:58:01Z 203.0.113.0 "GET /api/v1/monitors/{id}" 200 1534 2.1ms "curl/7.88.1"
//
// And the client address itself: the peer, or behind a trusted reverse
// proxy the address the proxy forwarded (X-Forwarded-For).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/address_policy.h"

namespace tocsin::web {

// "203.0.113.77" -> "203.0.113.0"; "2001:db8:1:2::5" -> "2001:db8:1::";
// anything else -> "-".
std::string TruncatedAddress(std::string_view ip);

// The client's address: `peer` (an address without port), or, when the peer
// is one of `trusted` proxies, the last address in X-Forwarded-For that is
// not itself a trusted proxy. "" when `peer` is not an address.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<net::Prefix>& trusted);

struct AccessEntry {
  std::string_view client;  // the full address: truncated when written
  std::string_view method;
  std::string_view route;  // the matched pattern; "" when none matched
  int status = 0;
  size_t bytes = 0;
  int64_t duration_us = 0;
  std::string_view user_agent;
  int64_t unix_s = 0;
};

// The line for an entry (without its newline).
std::string FormatAccess(const AccessEntry& e);

class AccessLog {
 public:
  // `target`: "stderr", or a file appended to (created 0640).
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& target);
  ~AccessLog();
  void Write(const AccessEntry& e);

 private:
  explicit AccessLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  std::mutex mu_;
  std::FILE* file_;
  bool owned_;
};

}  // namespace tocsin::web
