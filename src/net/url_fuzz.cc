// libFuzzer target: URL parsing and redirect resolution never crash, and
// whatever parses names an http(s) host the policy can judge. An input
// "BASE\nLOCATION" resolves LOCATION as a redirect from BASE (relative
// locations included); without a newline the input is both.
#include <cstdint>
#include <string_view>

#include "net/address_policy.h"
#include "net/url.h"

namespace {

// What every parsed URL must satisfy, whether typed or reached by redirect.
void CheckUrl(const tocsin::net::Url& url) {
  if (url.scheme != "http" && url.scheme != "https") __builtin_trap();
  if (url.host.empty()) __builtin_trap();
  if (url.literal) (void)tocsin::net::AddressPolicy().Check(*url.literal);
  // The URL we would request must parse again to the same thing.
  auto again = tocsin::net::ParseUrl(url.normalized);
  if (!again.ok() || again->normalized != url.normalized) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t newline = text.find('\n');
  const std::string_view base = text.substr(0, newline);
  const std::string_view location =
      newline == std::string_view::npos ? text : text.substr(newline + 1);
  auto url = tocsin::net::ParseUrl(base);
  if (!url.ok()) return 0;
  CheckUrl(*url);
  auto next = tocsin::net::ResolveRedirect(*url, location);
  if (next.ok()) CheckUrl(*next);
  return 0;
}
