// Small helpers for the few server-rendered pages (acknowledgement links):
// escaping, a page shell with a strict Content-Security-Policy, and reading
// an application/x-www-form-urlencoded body.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "api/http.h"
#include "core/result.h"
#include "core/text.h"

namespace tocsin::api {

// A complete page: `body_html` is trusted markup (escape what goes in it).
// No script, no remote resource, no referrer (links may carry tokens).
Response HtmlPage(int status, std::string_view title, std::string_view body_html);

// "a=1&b=x%20y" -> {a: 1, b: "x y"}; '+' is a space. Malformed escapes are
// kept as written.
std::map<std::string, std::string> ParseForm(std::string_view body);

// The pages behind mailed links: a form posting back to the link (a GET
// never acts, so mail scanners follow links harmlessly), and what went wrong.
std::string TokenForm(std::string_view button, std::string_view fields_html);
std::string LinkProblem(const Error& e);
int LinkStatus(const Error& e);

}  // namespace tocsin::api
