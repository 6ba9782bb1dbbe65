#include "notify/email/mime.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/crypto.h"
#include "core/text.h"

namespace tocsin::notify::mime {
namespace {

// Raw bytes per encoded-word: 45 bytes of base64 is 60 characters, plus the
// 12 of "=?UTF-8?B?" and "?=", within RFC 2047's 75.
constexpr size_t kWordBytes = 45;
constexpr size_t kBase64Line = 76;
// Longest header line written for plain text; longer subjects are cut.
constexpr size_t kMaxPlainHeader = 900;

bool IsPlainAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string Base64Lines(std::string_view bytes) {
  const std::string encoded = Base64Encode(bytes);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / kBase64Line * 2 + 2);
  for (size_t i = 0; i < encoded.size(); i += kBase64Line) {
    out.append(encoded, i, kBase64Line);
    out += "\r\n";
  }
  return out;
}

std::string MailDate(int64_t unix_s) {
  return fmt::format("{:%a, %d %b %Y %H:%M:%S} +0000",
                     fmt::gmtime(static_cast<std::time_t>(unix_s)));
}

std::string Mailbox(std::string_view mailbox) {
  // "Display Name <addr>": the display name may need encoding.
  const size_t open = mailbox.rfind('<');
  if (open == std::string_view::npos || open == 0) return CleanHeaderValue(mailbox);
  std::string_view name = TrimBlanks(mailbox.substr(0, open));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  const std::string address = CleanHeaderValue(mailbox.substr(open));
  if (IsPlainAscii(name) && name.find_first_of("\"\\") == std::string_view::npos) {
    return "\"" + std::string(name) + "\" " + address;
  }
  return EncodeHeaderText(name) + " " + address;
}

}  // namespace

std::string CleanHeaderValue(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

std::string EncodeHeaderText(std::string_view raw) {
  const std::string value = CleanHeaderValue(raw);
  if (IsPlainAscii(value)) return value.substr(0, kMaxPlainHeader);
  std::string out;
  std::string_view rest = value;
  while (!rest.empty()) {
    const std::string_view chunk = Utf8Prefix(rest, kWordBytes);
    // A single sequence longer than a word cannot happen in valid UTF-8
    // (at most 4 bytes); for invalid input take the bytes as they are.
    const std::string_view word = chunk.empty() ? rest.substr(0, kWordBytes) : chunk;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(word) + "?=";
    rest.remove_prefix(word.size());
  }
  return out;
}

std::string AddressOf(std::string_view mailbox) {
  const size_t open = mailbox.rfind('<');
  const size_t close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return std::string(mailbox.substr(open + 1, close - open - 1));
  }
  return std::string(TrimBlanks(mailbox));
}

bool IsPlainAddress(std::string_view a) {
  return IsEmailAddress(a);
}

bool IsMailbox(std::string_view mailbox) {
  if (mailbox.find_first_of("\r\n") != std::string_view::npos) return false;
  const size_t open = mailbox.rfind('<');
  if (open == std::string_view::npos) return IsPlainAddress(TrimBlanks(mailbox));
  if (!mailbox.ends_with('>')) return false;
  return IsPlainAddress(mailbox.substr(open + 1, mailbox.size() - open - 2));
}

std::string Render(const Mail& mail) {
  const std::string boundary = "tocsin-" + Hex(RandomBytes(12));
  std::string to;
  for (const auto& r : mail.to) to += (to.empty() ? "" : ", ") + CleanHeaderValue(r);
  std::string out;
  out += "From: " + Mailbox(mail.from) + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " + EncodeHeaderText(mail.subject) + "\r\n";
  out += "Date: " + MailDate(mail.date_unix) + "\r\n";
  out += "Message-ID: <" + CleanHeaderValue(mail.message_id) + ">\r\n";
  if (!mail.in_reply_to.empty()) {
    const std::string parent = "<" + CleanHeaderValue(mail.in_reply_to) + ">";
    out += "In-Reply-To: " + parent + "\r\nReferences: " + parent + "\r\n";
  }
  out += "Auto-Submitted: auto-generated\r\n";
  for (const auto& [name, value] : mail.extra_headers) {
    out += CleanHeaderValue(name) + ": " + EncodeHeaderText(value) + "\r\n";
  }
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  for (const auto& [type, body] :
       {std::pair{"text/plain", &mail.text}, std::pair{"text/html", &mail.html}}) {
    out += "--" + boundary + "\r\n";
    out += std::string("Content-Type: ") + type + "; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    out += Base64Lines(*body);
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace tocsin::notify::mime
