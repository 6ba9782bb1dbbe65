// What to check and how: the options of one HTTP(S) check, as users write
// them (CheckSpec), and the validated, compiled form the engine runs
// (PreparedCheck). Each field is an option of check_options.h, which names
// it for every surface (flags, JSON, YAML).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/url.h"

struct curl_slist;

namespace tocsin::probe {

enum class IpVersion : uint8_t { kAuto, kV4, kV6 };

// Defaults and hard limits of the options.
inline constexpr Micros kDefaultTimeout = 10'000'000;
inline constexpr Micros kMaxTimeout = 120'000'000;
inline constexpr uint64_t kDefaultMaxBodyBytes = 10 << 20;
inline constexpr uint64_t kMaxMaxBodyBytes = 1ull << 30;
inline constexpr uint32_t kDefaultMaxHeaderBytes = 64 << 10;
inline constexpr uint32_t kMaxMaxHeaderBytes = 1 << 20;
inline constexpr uint32_t kDefaultMaxRedirects = 5;
inline constexpr uint32_t kMaxMaxRedirects = 20;
inline constexpr size_t kMaxRequestBodyBytes = 1 << 20;
inline constexpr size_t kMaxHeaders = 64;

struct CheckSpec {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // request body
  std::string basic_auth;            // "user:password"
  std::string expect_status = "200-299";
  std::string keyword;      // must appear in the body
  std::string not_keyword;  // must not appear in the body
  std::string regex;        // PCRE2 pattern that must match the body
  std::string not_regex;    // PCRE2 pattern that must not match the body
  Micros timeout = kDefaultTimeout;
  uint64_t max_body_bytes = kDefaultMaxBodyBytes;
  uint32_t max_header_bytes = kDefaultMaxHeaderBytes;
  uint32_t max_redirects = kDefaultMaxRedirects;
  IpVersion ip_version = IpVersion::kAuto;
  std::string ca_file;    // PEM bundle trusted instead of the system store
  bool insecure = false;  // skip certificate verification (still reported)
};

// Accepted HTTP statuses, e.g. "200-299,301".
class StatusRanges {
 public:
  static Result<StatusRanges> Parse(std::string_view text);
  bool Contains(long status) const;

 private:
  std::vector<std::pair<uint16_t, uint16_t>> ranges_;
};

class Regex;  // a compiled PCRE2 pattern

// A validated CheckSpec, compiled once and shared read-only by every run of
// the check, on any engine thread.
class PreparedCheck {
 public:
  // Validates every option; an error names the option in Error::field.
  static Result<std::shared_ptr<const PreparedCheck>> Prepare(CheckSpec spec);
  ~PreparedCheck();
  PreparedCheck(const PreparedCheck&) = delete;
  PreparedCheck& operator=(const PreparedCheck&) = delete;

  const CheckSpec& spec() const { return spec_; }
  const net::Url& url() const { return url_; }
  const StatusRanges& expect_status() const { return expect_; }
  // Request headers for the first host, and for a redirect to another host
  // (without Authorization and Cookie).
  curl_slist* headers() const { return headers_; }
  curl_slist* cross_host_headers() const { return cross_host_headers_; }
  // True when a body assertion needs the body kept in memory.
  bool keeps_body() const { return keeps_body_; }

  // Empty when the body passes every assertion, else what failed.
  std::string CheckBody(std::string_view body) const;

 private:
  PreparedCheck() = default;
  CheckSpec spec_;
  net::Url url_;
  StatusRanges expect_;
  std::unique_ptr<Regex> regex_;
  std::unique_ptr<Regex> not_regex_;
  curl_slist* headers_ = nullptr;
  curl_slist* cross_host_headers_ = nullptr;
  bool keeps_body_ = false;
};

}  // namespace tocsin::probe
