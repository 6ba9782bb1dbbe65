#include "api/http.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <stdexcept>

#include "core/text.h"

namespace tocsin::api {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (AsciiIEquals(key, name)) return value;
  }
  return std::nullopt;
}

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

Response Router::Dispatch(const Request& request) const {
  auto path = routes_.find(request.path);
  if (path == routes_.end()) return Response::Text(404, "not found\n");
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
    Response response = Response::Text(405, "method not allowed\n");
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
  return Response::Text(500, "internal error\n");
}

}  // namespace tocsin::api
