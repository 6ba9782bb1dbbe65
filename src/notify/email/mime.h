// An RFC 5322 message with a text/plain part and a text/html alternative
// (RFC 2046), UTF-8 subjects as RFC 2047 encoded-words, and header values
// that cannot break out of their header: CR, LF and other control characters
// in anything a user wrote (a monitor's name, say) never reach the wire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::notify::mime {

struct Mail {
  std::string from;  // "Tocsin <tocsin@example.com>" or "tocsin@example.com"
  std::vector<std::string> to;
  std::string subject;
  std::string text;
  std::string html;
  std::string message_id;   // without angle brackets: "incident-4.opened@example.com"
  std::string in_reply_to;  // threads follow-ups under the first message; "" for none
  int64_t date_unix = 0;
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// The message, lines ended by CRLF.
std::string Render(const Mail& mail);

// A header value with control characters (CR, LF, NUL, ...) replaced by
// spaces.
std::string CleanHeaderValue(std::string_view value);
// The value as written when plain ASCII, else RFC 2047 encoded-words
// (UTF-8, base64), each at most 75 characters, folded onto continuation
// lines; never splits a UTF-8 sequence.
std::string EncodeHeaderText(std::string_view value);
// "Name <addr>" -> "addr"; "addr" -> "addr".
std::string AddressOf(std::string_view mailbox);
// Whether `address` is a plausible addr-spec (local@domain, no spaces,
// brackets or control characters): what the config accepts as a recipient.
bool IsPlainAddress(std::string_view address);
// A sender as the config writes it: an address, or "Display Name <address>".
bool IsMailbox(std::string_view mailbox);

}  // namespace tocsin::notify::mime
