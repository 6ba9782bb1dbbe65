// The probe engine's settings, counters and result sink: shared by the
// Engine and its Shards, apart from both so neither includes the other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "net/address_policy.h"
#include "net/resolver.h"
#include "probe/check_result.h"

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

// Receives every finished check, on the shard's thread; must not block.
using ResultSink = std::function<void(CheckResult&& result)>;

}  // namespace tocsin::probe
