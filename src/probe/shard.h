// Shard: one engine thread. It owns an epoll loop, a libcurl multi handle,
// a c-ares resolver and the checks in flight on this thread, and runs each
// check through DNS, the address policy, the HTTP hop and its redirects.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/address_policy.h"
#include "net/resolver.h"
#include "probe/engine_options.h"
#include "probe/transfer.h"

namespace tocsin::probe {

class Shard {
 public:
  static Result<std::unique_ptr<Shard>> Create(const EngineOptions& options, ResultSink sink);
  ~Shard();

  bool Submit(std::shared_ptr<const PreparedCheck> check, model::JobId job);
  void Stop();
  void AddStats(EngineStats* stats) const;

 private:
  struct Job {
    std::shared_ptr<const PreparedCheck> check;
    model::JobId job;
  };
  enum Tag : uint32_t { kWakeTag = 1, kCurlTag = 2, kAresTag = 3 };

  Shard(const EngineOptions& options, ResultSink sink);
  Status Init();
  void Run();
  int NextTimeoutMs();
  void Dispatch(uint32_t tag, int fd, uint32_t events);
  void HandleTimers();
  void AdmitQueued();
  void DrainCompletions();

  void StartCheck(Job job);
  void BeginHop(Transfer& t);
  void OnResolved(uint64_t id, const net::DnsAnswer& answer);
  void UseAddresses(Transfer& t, const std::vector<net::IpAddress>& addresses);
  void StartTransfer(Transfer& t);
  void FollowRedirect(Transfer& t, net::Url next);
  void Finish(Transfer& t);

  void Watch(uint32_t tag, int fd, uint32_t events);
  void Unwatch(int fd);
  static int CurlSocketCallback(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
  static int CurlTimerCallback(CURLM* multi, long timeout_ms, void* userp);

  CURL* AcquireEasy();
  void ReleaseEasy(CURL* easy);

  const EngineOptions options_;
  const net::AddressPolicy policy_;
  ResultSink sink_;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  CURLM* multi_ = nullptr;
  std::unique_ptr<net::Resolver> resolver_;
  Micros curl_deadline_ = -1;  // monotonic; -1 when curl wants no timer

  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers_;
  uint64_t next_id_ = 1;
  // Check deadlines, earliest first; consulted while a check waits for DNS
  // (curl enforces the deadline once the transfer runs).
  using Deadline = std::pair<Micros, uint64_t>;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::vector<CURL*> easy_pool_;

  std::mutex queue_mu_;
  std::deque<Job> queue_;  // guarded by queue_mu_
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> by_outcome_[kOutcomeCount] = {};
  std::atomic<uint64_t> in_flight_{0};
  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> dns_queries_{0};
  std::atomic<uint64_t> dns_cache_hits_{0};
};

}  // namespace tocsin::probe
