// Small text helpers for protocol text (header names, methods, keys): ASCII
// only and locale-free on purpose. std::toupper/tolower take the C locale's
// view of a byte and are undefined for a negative char; Boost.Algorithm's
// case helpers go through std::locale. Neither is right for bytes off the
// network, so these are written out (a few lines, fully tested).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char AsciiUpper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string AsciiUppercase(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), AsciiUpper);
  return out;
}

// Case-insensitive equality of ASCII letters; other bytes compare exactly.
inline bool AsciiIEquals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return AsciiLower(x) == AsciiLower(y); });
}

// `s` without leading and trailing spaces and tabs.
inline std::string_view TrimBlanks(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Items of a `sep`-separated list, trimmed; empty items are dropped, so an
// empty text is an empty list.
inline std::vector<std::string> SplitList(std::string_view text, char sep = ',') {
  std::vector<std::string> items;
  while (!text.empty()) {
    const size_t at = text.find(sep);
    const std::string_view item = TrimBlanks(text.substr(0, at));
    text = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

// The longest prefix of `s` of at most `max` bytes that does not end inside
// a UTF-8 sequence, so cutting text for storage never makes it invalid.
inline std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  // Back up over continuation bytes (10xxxxxx) to the start of the sequence
  // that the cut would split.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// A plausible email address (local@domain, no spaces, brackets, quotes or
// control characters, at most 254 bytes): what Tocsin accepts from users.
inline bool IsEmailAddress(std::string_view a) {
  const size_t at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) {
    return false;
  }
  if (a.substr(at + 1).find('.') == std::string_view::npos && a.substr(at + 1) != "localhost") {
    return false;
  }
  return std::all_of(a.begin(), a.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && c != '<' && c != '>' && c != ',' && c != '"' && c != '(' &&
           c != ')' && c != ';' && c != '\\' && c != '[' && c != ']';
  });
}

// Text safe inside HTML elements and quoted attributes.
inline std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace tocsin
