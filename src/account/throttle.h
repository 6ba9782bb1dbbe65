// Login throttling: failed attempts counted per key (an account, a client
// address) in a sliding window; past the limit, attempts are refused until
// the oldest failure leaves the window. In memory: a restart forgives.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tocsin::account {

class Throttle {
 public:
  Throttle(int max_failures, int64_t window_ms) : max_(max_failures), window_ms_(window_ms) {}

  // 0 when `key` may try now, else the milliseconds to wait.
  int64_t WaitMs(const std::string& key, int64_t now_ms);
  void Failed(const std::string& key, int64_t now_ms);
  void Succeeded(const std::string& key);

 private:
  void Prune(std::deque<int64_t>& times, int64_t now_ms) const;
  const int max_;
  const int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<int64_t>> failures_;  // guarded by mu_
};

}  // namespace tocsin::account
