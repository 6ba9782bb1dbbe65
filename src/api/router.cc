#include "api/http.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "api/traffic.h"
#include "core/text.h"

namespace tocsin::api {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (AsciiIEquals(key, name)) return value;
  }
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Matches `path` against a pattern with {placeholders}; fills `params`.
bool Match(std::string_view pattern, std::string_view path,
           std::map<std::string, std::string, std::less<>>& params) {
  const auto want = Segments(pattern);
  const auto got = Segments(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string, std::less<>> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{') && want[i].ends_with('}')) {
      if (got[i].empty()) return false;
      found.emplace(want[i].substr(1, want[i].size() - 2), got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

Response Response::Text(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::Json(int status, std::string body) {
  Response response = Text(status, std::move(body));
  response.content_type = "application/json";
  return response;
}

Router& Router::Add(std::string method, std::string path, Handler handler) {
  if (method.empty() || !path.starts_with('/') || !handler) {
    throw std::logic_error(fmt::format("bad route {} {}", method, path));
  }
  auto& methods = routes_[path];
  if (!methods.emplace(method, std::move(handler)).second) {
    throw std::logic_error(fmt::format("route {} {} registered twice", method, path));
  }
  return *this;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [path, methods] : routes_) {
    for (const auto& [method, handler] : methods) out.emplace_back(method, path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Router::PatternOf(std::string_view path) const {
  if (routes_.contains(path)) return std::string(path);
  for (const auto& [pattern, methods] : routes_) {
    if (pattern.find('{') == std::string::npos) continue;
    std::map<std::string, std::string, std::less<>> params;
    if (Match(pattern, path, params)) return pattern;
  }
  return "";
}

Response Router::Dispatch(const Request& request) const {
  std::string pattern = "(none)";
  Response response = Answer(request, &pattern);
  if (traffic_) {
    traffic_->Count(request.method + " " + pattern, response.status, response.body.size());
  }
  return response;
}

Response Router::Answer(const Request& original, std::string* pattern) const {
  auto path = routes_.find(original.path);
  Request with_params;
  const Request* found = &original;
  if (path == routes_.end()) {
    for (auto it = routes_.begin(); it != routes_.end(); ++it) {
      if (it->first.find('{') == std::string::npos) continue;
      std::map<std::string, std::string, std::less<>> params;
      if (Match(it->first, original.path, params)) {
        with_params = original;
        with_params.params = std::move(params);
        found = &with_params;
        path = it;
        break;
      }
    }
  }
  const Request& request = *found;
  // Under /api/ every answer is JSON, the router's own included.
  const bool api = request.path.starts_with("/api/");
  auto problem = [api](int status, const char* code, const char* message) {
    if (!api) return Response::Text(status, std::string(message) + "\n");
    return Response::Json(status, std::string(R"({"error":{"code":")") + code + R"(","message":")" +
                                      message + R"("}})");
  };
  if (path == routes_.end()) {
    if (fallback_ && !api && (request.method == "GET" || request.method == "HEAD")) {
      *pattern = "console";
      return fallback_(request);
    }
    return problem(404, "not_found", "not found");
  }
  *pattern = path->first;
  const auto& methods = path->second;
  auto route = methods.find(request.method);
  if (route == methods.end() && request.method == "HEAD") route = methods.find("GET");
  if (route == methods.end()) {
    std::string allow;
    for (const auto& [method, handler] : methods) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    if (methods.contains("GET") && !methods.contains("HEAD")) allow += ", HEAD";
    Response response = problem(405, "method_not_allowed", "method not allowed");
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }
  try {
    return route->second(request);
  } catch (const std::exception& e) {
    // The client learns nothing about internals; the operator does.
    spdlog::error("{} {}: handler failed: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::error("{} {}: handler failed with a non-standard exception", request.method,
                  request.path);
  }
  return problem(500, "internal", "internal error");
}

}  // namespace tocsin::api
