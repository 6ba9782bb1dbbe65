// The probe engine: runs checks concurrently on one event loop per shard
// (thread), each loop driving libcurl's multi interface and c-ares through
// epoll. No thread per check, no blocking call on a loop.
//
// Thread-safety: Submit(), stats() and Stop() may be called from any
// thread. The result sink is called on a shard's thread; it must not block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"
#include "net/address_policy.h"
#include "net/resolver.h"
#include "probe/check_result.h"
#include "probe/check_spec.h"

namespace tocsin::probe {

struct EngineOptions {
  int shards = 1;
  // Checks running at once per shard; more wait in the shard's queue.
  size_t max_in_flight_per_shard = 10'000;
  // Checks accepted but not yet running, per shard. Submit() refuses beyond.
  size_t queue_capacity_per_shard = 100'000;
  net::AddressPolicyOptions address_policy;
  net::ResolverOptions resolver;
};

// Counters across all shards.
struct EngineStats {
  uint64_t submitted = 0;
  uint64_t rejected = 0;  // Submit() refused: queue full or stopping
  uint64_t completed = 0;
  uint64_t by_outcome[kOutcomeCount] = {};
  uint64_t in_flight = 0;
  uint64_t queued = 0;
  uint64_t dns_queries = 0;
  uint64_t dns_cache_hits = 0;
};

class Shard;

class Engine {
 public:
  using ResultSink = std::function<void(CheckResult&& result)>;

  static Result<std::unique_ptr<Engine>> Start(const EngineOptions& options, ResultSink sink);
  // Stops and joins the shards (see Stop).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a check; its result reaches the sink with the same token.
  // Returns false, and counts a rejection, if the shard's queue is full or
  // the engine is stopping.
  bool Submit(std::shared_ptr<const PreparedCheck> check, uint64_t token);

  // Refuses new checks, lets queued and running ones finish (each is bounded
  // by its timeout), then joins the shard threads. Idempotent.
  void Stop();

  EngineStats stats() const;

 private:
  Engine() = default;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_shard_{0};
};

}  // namespace tocsin::probe
