// Aggregate traffic for the operator: requests per method and route
// pattern ("GET /api/v1/monitors/{id}", "GET console") and status class,
// and bytes sent,
// since the server started. Nothing about who asked: no address, user,
// cookie or token (docs/privacy.md, promise 4). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tocsin::api {

class Traffic {
 public:
  explicit Traffic(int64_t since_ms) : since_ms_(since_ms) {}

  void Count(std::string_view route, int status, size_t bytes);
  // {since_ms, total, routes: [{route, requests, 2xx, 3xx, 4xx, 5xx, bytes}]},
  // the busiest route first.
  nlohmann::json Json() const;

 private:
  struct Counts {
    uint64_t by_class[4] = {};  // 2xx, 3xx, 4xx, 5xx (1xx counts as 2xx)
    uint64_t bytes = 0;
  };
  const int64_t since_ms_;
  mutable std::mutex mu_;
  std::map<std::string, Counts, std::less<>> routes_;  // guarded by mu_
};

}  // namespace tocsin::api
