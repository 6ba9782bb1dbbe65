#include "api/traffic.h"

#include <algorithm>
#include <vector>

namespace tocsin::api {

void Traffic::Count(std::string_view route, int status, size_t bytes) {
  const int cls = std::clamp(status / 100 - 2, 0, 3);
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), Counts{}).first;
  ++it->second.by_class[cls];
  it->second.bytes += bytes;
}

nlohmann::json Traffic::Json() const {
  std::vector<std::pair<uint64_t, nlohmann::json>> rows;
  uint64_t total = 0;
  {
    std::lock_guard lock(mu_);
    for (const auto& [route, c] : routes_) {
      const uint64_t n = c.by_class[0] + c.by_class[1] + c.by_class[2] + c.by_class[3];
      total += n;
      rows.emplace_back(n, nlohmann::json{{"route", route},
                                          {"requests", n},
                                          {"2xx", c.by_class[0]},
                                          {"3xx", c.by_class[1]},
                                          {"4xx", c.by_class[2]},
                                          {"5xx", c.by_class[3]},
                                          {"bytes", c.bytes}});
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json list = nlohmann::json::array();
  for (auto& [n, j] : rows) list.push_back(std::move(j));
  return {{"since_ms", since_ms_}, {"total", total}, {"routes", std::move(list)}};
}

}  // namespace tocsin::api
