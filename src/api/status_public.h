// The public side of status pages: the page itself (server-rendered HTML
// with no script and no cookie, showing only what its owner chose), SVG
// badges of its monitors (status, uptime, response time; cacheable), and
// visitors' email subscriptions (double opt-in, one-click unsubscribe).
// A page with a host name also answers at that host's "/".
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "pipeline/latest_states.h"

namespace tocsin::api {

// Rendered pages, kept `keep_ms` (0: not at all): a page is the same for
// every visitor, so a crowd during an outage costs one render per page
// every few seconds (bench/status_page_load.py), and a post shows within
// that time.
class StatusPageCache {
 public:
  explicit StatusPageCache(int64_t keep_ms) : keep_ms_(keep_ms) {}
  // The page rendered by `render` within keep_ms, or rendered now.
  Response Get(int64_t page_id, int64_t now_ms, const std::function<Response()>& render);

 private:
  struct Entry {
    int64_t expires_ms = 0;
    Response response;
  };
  const int64_t keep_ms_;
  std::mutex mu_;
  std::unordered_map<int64_t, Entry> entries_;
};

std::vector<Route> StatusPublicRoutes(const ApiContext& context,
                                      const pipeline::LatestStates& latest,
                                      std::shared_ptr<StatusPageCache> cache);

// The status page whose host name the request's Host header names, for a
// GET of "/"; nullopt for any other request (the console answers it).
std::optional<Response> StatusPageOfHost(const ApiContext& context,
                                         const pipeline::LatestStates& latest,
                                         StatusPageCache& cache, const Request& r);

}  // namespace tocsin::api
