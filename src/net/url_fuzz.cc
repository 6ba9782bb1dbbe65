// libFuzzer target: URL parsing and redirect resolution never crash, and
// whatever parses names an http(s) host the policy can judge.
#include <cstdint>
#include <string_view>

#include "net/address_policy.h"
#include "net/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto url = tocsin::net::ParseUrl(text);
  if (!url.ok()) return 0;
  if (url->scheme != "http" && url->scheme != "https") __builtin_trap();
  if (url->host.empty()) __builtin_trap();
  if (url->literal) (void)tocsin::net::AddressPolicy().Check(*url->literal);
  // The URL we would request must parse again to the same thing.
  auto again = tocsin::net::ParseUrl(url->normalized);
  if (!again.ok() || again->normalized != url->normalized) __builtin_trap();
  (void)tocsin::net::ResolveRedirect(*url, text);
  return 0;
}
