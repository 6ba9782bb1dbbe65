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

#include "core/metrics.h"
#include "core/result.h"
#include "model/ids.h"
#include "probe/check_spec.h"
#include "probe/engine_options.h"

namespace tocsin::probe {

class Shard;

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Start(const EngineOptions& options, ResultSink sink);
  // Stops and joins the shards (see Stop).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a check; its result reaches the sink carrying `job`.
  // Returns false, and counts a rejection, if the shard's queue is full or
  // the engine is stopping.
  bool Submit(std::shared_ptr<const PreparedCheck> check, model::JobId job);

  // Refuses new checks, lets queued and running ones finish (each is bounded
  // by its timeout), then joins the shard threads. Idempotent.
  void Stop();

  EngineStats stats() const;

  // Registers the engine's gauges (checks in flight, queued) in `metrics`,
  // which must not outlive the engine's last scrape.
  void RegisterMetrics(core::Registry& metrics) const;

 private:
  Engine() = default;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_shard_{0};
};

}  // namespace tocsin::probe
