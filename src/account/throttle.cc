#include "account/throttle.h"

namespace tocsin::account {
namespace {
// Keys kept at most; past it the oldest-looking entries are dropped, so a
// flood of distinct addresses cannot grow memory without bound.
constexpr size_t kMaxKeys = 100'000;
}  // namespace

void Throttle::Prune(std::deque<int64_t>& times, int64_t now_ms) const {
  while (!times.empty() && times.front() <= now_ms - window_ms_) times.pop_front();
}

int64_t Throttle::WaitMs(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  Prune(it->second, now_ms);
  if (static_cast<int>(it->second.size()) < max_) return 0;
  return it->second.front() + window_ms_ - now_ms;
}

void Throttle::Failed(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxKeys && !failures_.contains(key)) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      Prune(it->second, now_ms);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= kMaxKeys) failures_.erase(failures_.begin());
  }
  auto& times = failures_[key];
  Prune(times, now_ms);
  times.push_back(now_ms);
}

void Throttle::Succeeded(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

}  // namespace tocsin::account
