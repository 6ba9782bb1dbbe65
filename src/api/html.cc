#include "api/html.h"

namespace tocsin::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Response HtmlPage(int status, std::string_view title, std::string_view body_html) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      HtmlEscape(title) +
      " - Tocsin</title><style>body{font-family:sans-serif;max-width:40em;margin:3em auto;"
      "padding:0 1em;color:#1a1a1a}button{font-size:1em;padding:.5em 1.2em}"
      "input{font-size:1em;padding:.4em}</style></head><body><h1>" +
      HtmlEscape(title) + "</h1>" + std::string(body_html) + "</body></html>";
  r.headers = {{"Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'"},
               {"Referrer-Policy", "no-referrer"},
               {"X-Content-Type-Options", "nosniff"}};
  return r;
}

std::map<std::string, std::string> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    const size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.empty()) continue;
    out[Decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1));
  }
  return out;
}

std::string TokenForm(std::string_view button, std::string_view fields_html) {
  return "<form method=\"post\">" + std::string(fields_html) + "<p><button type=\"submit\">" +
         HtmlEscape(button) + "</button></p></form>";
}

std::string LinkProblem(const Error& e) {
  if (e.code == ErrorCode::kNotFound) {
    return "<p>This link is not valid: it was used already, it has expired, or it was never "
           "ours. Ask for a new one from the login page.</p>";
  }
  return "<p>" + HtmlEscape(e.message) + "</p>";
}

int LinkStatus(const Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kResourceExhausted:
      return 429;
    default:
      return 503;
  }
}

}  // namespace tocsin::api
