#include "probe/engine.h"

#include "probe/shard.h"

namespace tocsin::probe {

Result<std::unique_ptr<Engine>> Engine::Start(const EngineOptions& options, ResultSink sink) {
  if (options.shards < 1) return InvalidArgument("an engine needs at least one shard");
  if (options.max_in_flight_per_shard < 1) return InvalidArgument("max in flight must be >= 1");
  std::unique_ptr<Engine> engine(new Engine());
  for (int i = 0; i < options.shards; ++i) {
    auto shard = Shard::Create(options, sink);
    if (!shard.ok()) return shard.error();
    engine->shards_.push_back(std::move(*shard));
  }
  return engine;
}

Engine::~Engine() {
  Stop();
}

bool Engine::Submit(std::shared_ptr<const PreparedCheck> check, model::JobId job) {
  const uint64_t n = next_shard_.fetch_add(1, std::memory_order_relaxed);
  return shards_[n % shards_.size()]->Submit(std::move(check), job);
}

void Engine::Stop() {
  for (auto& shard : shards_) shard->Stop();
}

EngineStats Engine::stats() const {
  EngineStats s;
  for (const auto& shard : shards_) shard->AddStats(&s);
  return s;
}

void Engine::RegisterMetrics(core::Registry& metrics) const {
  metrics.AddCallbackGauge("tocsin_checks_in_flight", "Checks running now.",
                           [this] { return static_cast<double>(stats().in_flight); });
  metrics.AddCallbackGauge("tocsin_engine_queue_depth", "Checks waiting for an engine slot.",
                           [this] { return static_cast<double>(stats().queued); });
}

}  // namespace tocsin::probe
