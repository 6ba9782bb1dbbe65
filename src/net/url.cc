#include "net/url.h"

#include <curl/curl.h>
#include <idn2.h>

#include <algorithm>
#include <charconv>
#include <memory>

namespace tocsin::net {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

std::optional<std::string> GetPart(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || raw == nullptr) return std::nullopt;
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

// Converts a UTF-8 host name to its ASCII (punycode) form with IDNA2008 and
// the TR46 transitional mapping browsers use. libcurl's own conversion
// depends on the process locale, which a server must not.
Result<std::string> ToAsciiHost(const std::string& host) {
  const bool ascii = std::all_of(host.begin(), host.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return host;
  char* out = nullptr;
  const int rc = idn2_to_ascii_8z(host.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc != IDN2_OK || out == nullptr) {
    return InvalidArgument("invalid international host name: " + std::string(idn2_strerror(rc)));
  }
  std::string ascii_host(out);
  idn2_free(out);
  return ascii_host;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Builds a Url from a parsed CURLU handle; `shown` is the user's spelling
// for error messages.
Result<Url> FromHandle(CURLU* u, std::string_view shown) {
  const std::string quoted = "'" + std::string(shown.substr(0, 200)) + "'";
  Url url;
  url.scheme = Lower(GetPart(u, CURLUPART_SCHEME).value_or(""));
  if (url.scheme != "http" && url.scheme != "https") {
    return InvalidArgument("unsupported scheme in " + quoted + ": only http and https");
  }
  if (GetPart(u, CURLUPART_USER) || GetPart(u, CURLUPART_PASSWORD)) {
    return InvalidArgument("credentials in URL " + quoted + " are refused; use basic_auth");
  }
  auto raw_host = GetPart(u, CURLUPART_HOST);
  if (!raw_host || raw_host->empty()) return InvalidArgument("URL " + quoted + " has no host");
  if (GetPart(u, CURLUPART_ZONEID) || raw_host->find('%') != std::string::npos) {
    return InvalidArgument("IPv6 zone ids are not accepted in " + quoted);
  }
  auto host = ToAsciiHost(*raw_host);
  if (!host.ok()) return InvalidArgument(host.error().message + " in " + quoted);
  // "example.com." is example.com and "127.1." is 127.1: drop the root dot
  // before telling an address from a name. "a.." has an empty label.
  std::string name = std::move(*host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty() || name.back() == '.') return InvalidArgument("URL " + quoted + " has no host");
  url.literal = IpAddress::ParseLiteral(name);
  if (url.literal) {
    url.host = url.literal->ToString();
    // curl normalises the legacy IPv4 forms itself; make sure the URL we
    // request names the same address the policy checked.
    if (curl_url_set(u, CURLUPART_HOST, url.literal->ToUrlHost().c_str(), 0) != CURLUE_OK) {
      return InvalidArgument("invalid host in " + quoted);
    }
  } else {
    url.host = Lower(name);
    if (curl_url_set(u, CURLUPART_HOST, url.host.c_str(), 0) != CURLUE_OK) {
      return InvalidArgument("invalid host in " + quoted);
    }
  }
  auto port = GetPart(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  int port_value = 0;
  if (!port ||
      std::from_chars(port->data(), port->data() + port->size(), port_value).ec != std::errc() ||
      port_value <= 0 || port_value > 65535) {
    return InvalidArgument("invalid port in " + quoted);
  }
  url.port = static_cast<uint16_t>(port_value);
  url.target = GetPart(u, CURLUPART_PATH).value_or("/");
  if (url.target.empty()) url.target = "/";
  if (auto query = GetPart(u, CURLUPART_QUERY)) url.target += "?" + *query;
  // Fragments never reach the server.
  curl_url_set(u, CURLUPART_FRAGMENT, nullptr, 0);
  auto normalized = GetPart(u, CURLUPART_URL);
  if (!normalized) return InvalidArgument("cannot normalise URL " + quoted);
  url.normalized = std::move(*normalized);
  return url;
}

Result<CurlUrlPtr> ParseInto(std::string_view text) {
  if (text.size() > kMaxUrlLength) {
    return InvalidArgument("URL longer than " + std::to_string(kMaxUrlLength) + " bytes");
  }
  CurlUrlPtr u(curl_url());
  if (!u) return Internal("out of memory");
  const std::string copy(text);
  const CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, copy.c_str(), 0);
  if (rc != CURLUE_OK) {
    return InvalidArgument("malformed URL '" + copy.substr(0, 200) + "': " + curl_url_strerror(rc));
  }
  return u;
}

// The URL we request is parsed again by curl: it must name the host we
// judged. curl and we disagree on some spellings (a numeric host longer than
// ParseLiteral reads, a %-escaped byte in a name); such a URL is refused.
Result<Url> Stable(Result<Url> url, std::string_view shown) {
  if (!url.ok()) return url;
  auto u = ParseInto(url->normalized);
  auto again = u.ok() ? FromHandle(u->get(), url->normalized) : Result<Url>(u.error());
  if (!again.ok() || again->normalized != url->normalized) {
    return InvalidArgument("URL '" + std::string(shown.substr(0, 200)) +
                           "' does not name one host unambiguously");
  }
  return url;
}

}  // namespace

Result<Url> ParseUrl(std::string_view text) {
  auto u = ParseInto(text);
  if (!u.ok()) return u.error();
  return Stable(FromHandle(u->get(), text), text);
}

Result<Url> ResolveRedirect(const Url& base, std::string_view location) {
  auto u = ParseInto(base.normalized);
  if (!u.ok()) return u.error();
  if (location.size() > kMaxUrlLength) return InvalidArgument("redirect location too long");
  const std::string copy(location);
  // Setting a URL on a handle that holds one resolves it as relative.
  const CURLUcode rc = curl_url_set(u->get(), CURLUPART_URL, copy.c_str(), 0);
  if (rc != CURLUE_OK) {
    return InvalidArgument("malformed redirect location '" + copy.substr(0, 200) +
                           "': " + curl_url_strerror(rc));
  }
  return Stable(FromHandle(u->get(), location), location);
}

}  // namespace tocsin::net
