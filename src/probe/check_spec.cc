#include "probe/check_spec.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <curl/curl.h>
#include <pcre2.h>

#include <algorithm>
#include <charconv>
#include "core/text.h"

namespace tocsin::probe {

// Bounds the work of one regex match so a pathological pattern cannot stall
// an engine thread (catastrophic backtracking ends in an assertion failure).
inline constexpr uint32_t kRegexMatchLimit = 1'000'000;
inline constexpr size_t kMaxPatternBytes = 4096;

class Regex {
 public:
  static Result<std::unique_ptr<Regex>> Compile(const std::string& pattern) {
    if (pattern.size() > kMaxPatternBytes) return InvalidArgument("regex longer than 4096 bytes");
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     0, &error, &offset, nullptr);
    if (code == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof(message));
      return InvalidArgument("invalid regex '" + pattern + "' at offset " + std::to_string(offset) +
                             ": " + reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // best effort; the interpreter works too
    return std::unique_ptr<Regex>(new Regex(code));
  }
  ~Regex() { pcre2_code_free(code_); }

  // 1 matched, 0 no match, -1 the match gave up (limit or error).
  int Match(std::string_view subject) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    pcre2_match_context* mc = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(mc, kRegexMatchLimit);
    const int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                               0, 0, md, mc);
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    if (rc >= 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    return -1;
  }

 private:
  explicit Regex(pcre2_code* code) : code_(code) {}
  pcre2_code* code_;
};

namespace {

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

Status ValidateHeader(const std::string& header) {
  const size_t colon = header.find(':');
  if (colon == std::string::npos || !IsToken(std::string_view(header).substr(0, colon))) {
    return InvalidArgument("invalid header '" + header + "' (expected 'Name: value')");
  }
  if (HasControlChars(header)) {
    return InvalidArgument("header '" + header.substr(0, colon) + "' contains a line break");
  }
  return {};
}

bool HeaderNamed(const std::string& header, std::string_view name) {
  if (header.size() <= name.size() || header[name.size()] != ':') return false;
  return AsciiIEquals(std::string_view(header).substr(0, name.size()), name);
}

}  // namespace

Result<StatusRanges> StatusRanges::Parse(std::string_view text) {
  StatusRanges out;
  const std::string original(text);
  auto bad = [&] {
    return InvalidArgument("invalid expected status '" + original +
                           "' (expected e.g. 200-299,301)");
  };
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t dash = item.find('-');
    auto number = [](std::string_view s, uint16_t* v) {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
      return ec == std::errc() && p == s.data() + s.size() && *v >= 100 && *v <= 599;
    };
    uint16_t lo = 0;
    uint16_t hi = 0;
    if (!number(item.substr(0, dash), &lo)) return bad();
    hi = lo;
    if (dash != std::string_view::npos && !number(item.substr(dash + 1), &hi)) return bad();
    if (hi < lo) return bad();
    out.ranges_.emplace_back(lo, hi);
  }
  if (out.ranges_.empty()) return bad();
  return out;
}

bool StatusRanges::Contains(long status) const {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const auto& r) { return status >= r.first && status <= r.second; });
}

PreparedCheck::~PreparedCheck() {
  curl_slist_free_all(headers_);
  curl_slist_free_all(cross_host_headers_);
}

Result<std::shared_ptr<const PreparedCheck>> PreparedCheck::Prepare(CheckSpec spec) {
  std::shared_ptr<PreparedCheck> p(new PreparedCheck());
  auto url = net::ParseUrl(spec.url);
  if (!url.ok()) return InvalidField("url", url.error().message);
  p->url_ = std::move(*url);

  spec.method = AsciiUppercase(spec.method);
  if (!IsToken(spec.method) || spec.method.size() > 16) {
    return InvalidField("method", "invalid method '" + spec.method + "'");
  }
  if (spec.headers.size() > kMaxHeaders) return InvalidField("headers", "more than 64 headers");
  for (const auto& h : spec.headers) {
    if (Status s = ValidateHeader(h); !s.ok()) return InvalidField("headers", s.error().message);
  }
  if (spec.body.size() > kMaxRequestBodyBytes) {
    return InvalidField("body", "request body larger than 1 MiB");
  }
  if (!spec.basic_auth.empty() && spec.basic_auth.find(':') == std::string::npos) {
    return InvalidField("basic_auth", "basic_auth must be 'user:password'");
  }
  if (HasControlChars(spec.basic_auth)) {
    return InvalidField("basic_auth", "basic_auth has a line break");
  }
  auto expect = StatusRanges::Parse(spec.expect_status);
  if (!expect.ok()) return InvalidField("expect_status", expect.error().message);
  p->expect_ = std::move(*expect);
  if (spec.timeout < 1'000 || spec.timeout > kMaxTimeout) {
    return InvalidField("timeout", "timeout must be between 1ms and 120s");
  }
  if (spec.max_body_bytes > kMaxMaxBodyBytes) {
    return InvalidField("max_body_bytes", "max_body_bytes must be at most 1 GiB");
  }
  if (spec.max_header_bytes < 1024 || spec.max_header_bytes > kMaxMaxHeaderBytes) {
    return InvalidField("max_header_bytes", "max_header_bytes must be between 1 KiB and 1 MiB");
  }
  if (spec.max_redirects > kMaxMaxRedirects) {
    return InvalidField("max_redirects", "max_redirects must be at most 20");
  }
  if (!spec.regex.empty()) {
    auto r = Regex::Compile(spec.regex);
    if (!r.ok()) return InvalidField("regex", r.error().message);
    p->regex_ = std::move(*r);
  }
  if (!spec.not_regex.empty()) {
    auto r = Regex::Compile(spec.not_regex);
    if (!r.ok()) return InvalidField("not_regex", r.error().message);
    p->not_regex_ = std::move(*r);
  }
  p->keeps_body_ = !spec.keyword.empty() || !spec.not_keyword.empty() || p->regex_ || p->not_regex_;

  // Built once per check, read by every run: curl never writes to a list.
  auto append = [](curl_slist** list, const std::string& line) -> Status {
    curl_slist* next = curl_slist_append(*list, line.c_str());
    if (next == nullptr) return Internal("out of memory");
    *list = next;
    return {};
  };
  bool has_user_agent = false;
  for (const auto& h : spec.headers) {
    if (HeaderNamed(h, "user-agent")) has_user_agent = true;
    if (Status s = append(&p->headers_, h); !s.ok()) return s.error();
    if (!HeaderNamed(h, "authorization") && !HeaderNamed(h, "cookie")) {
      if (Status s = append(&p->cross_host_headers_, h); !s.ok()) return s.error();
    }
  }
  std::vector<std::string> defaults;
  if (!has_user_agent) defaults.push_back("User-Agent: Tocsin/0.1 (website monitor)");
  // A body would otherwise make curl wait for "100 Continue", adding a
  // round trip to the measured time.
  if (!spec.body.empty()) defaults.push_back("Expect:");
  for (const auto& h : defaults) {
    if (Status s = append(&p->headers_, h); !s.ok()) return s.error();
    if (Status s = append(&p->cross_host_headers_, h); !s.ok()) return s.error();
  }
  p->spec_ = std::move(spec);
  return std::shared_ptr<const PreparedCheck>(std::move(p));
}

std::string PreparedCheck::CheckBody(std::string_view body) const {
  const std::string size = " in the body (" + std::to_string(body.size()) + " bytes)";
  if (!spec_.keyword.empty() && body.find(spec_.keyword) == std::string_view::npos) {
    return "keyword '" + spec_.keyword + "' not found" + size;
  }
  if (!spec_.not_keyword.empty() && body.find(spec_.not_keyword) != std::string_view::npos) {
    return "forbidden keyword '" + spec_.not_keyword + "' found" + size;
  }
  if (regex_) {
    const int m = regex_->Match(body);
    if (m < 0) return "regex '" + spec_.regex + "' gave up (match limit)" + size;
    if (m == 0) return "regex '" + spec_.regex + "' did not match" + size;
  }
  if (not_regex_) {
    const int m = not_regex_->Match(body);
    if (m < 0) return "regex '" + spec_.not_regex + "' gave up (match limit)" + size;
    if (m == 1) return "forbidden regex '" + spec_.not_regex + "' matched" + size;
  }
  return {};
}

}  // namespace tocsin::probe
