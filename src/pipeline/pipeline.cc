#include "pipeline/pipeline.h"

namespace tocsin::pipeline {
namespace {

const std::vector<double> kWriteBuckets = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                           0.1,   0.2,   0.5,   1,    2,    5};

}  // namespace

Pipeline::Pipeline(store::ResultStore& results, PipelineOptions options, core::Registry& metrics)
    : alerts_(options.alerts) {
  RegisterMetrics(metrics);
  recorder_ =
      std::make_unique<store::Recorder>(results, options.recorder, [this](size_t, Micros latency) {
        write_latency_->Observe(static_cast<double>(latency) / 1e6);
      });
}

Pipeline::~Pipeline() {
  Stop();
}

void Pipeline::Accept(model::CheckRecord&& r) {
  // 0. Marked if taken in a maintenance window: kept, but alerts are held.
  if (alerts_ != nullptr) r.in_maintenance = alerts_->InMaintenance(r.monitor, r.ts_ms);
  // 1. Metrics: counted the moment the result exists.
  outcomes_[static_cast<int>(r.outcome)]->Increment();
  // 2. Latest state: what the API shows as the monitor's "now".
  latest_.Update(model::LatestState::Of(r));
  if (alerts_ == nullptr) {
    recorder_->Enqueue(std::move(r));
    return;
  }
  // 3. Durable: the writer thread commits it with its batch (bounded queue;
  //    an overflow is counted and logged, never silent).
  recorder_->Enqueue(r);
  // 4. Alerts: the evaluator's own thread judges it (bounded queue too).
  alerts_->Observe(r);
}

void Pipeline::Stop() {
  recorder_->Stop();
}

void Pipeline::RegisterMetrics(core::Registry& metrics) {
  auto& checks =
      metrics.AddCounter("tocsin_checks_total", "Checks completed, by outcome.", {"outcome"});
  for (int i = 0; i < model::kOutcomeCount; ++i) {
    outcomes_[i] = &checks.WithLabels({model::OutcomeName(static_cast<model::Outcome>(i))});
  }
  write_latency_ = &metrics.AddHistogram("tocsin_store_write_seconds",
                                         "Time to commit one batch of results.", kWriteBuckets);
  metrics.AddCallbackGauge("tocsin_recorder_queue_depth", "Results waiting to be stored.",
                           [this] { return static_cast<double>(recorder_->stats().queue_depth); });
  metrics.AddCallbackGauge("tocsin_results_committed", "Results stored since start (monotonic).",
                           [this] { return static_cast<double>(recorder_->stats().committed); });
  metrics.AddCallbackGauge(
      "tocsin_results_dropped",
      "Results lost since start because the recorder's queue was full (monotonic).",
      [this] { return static_cast<double>(recorder_->stats().dropped); });
  metrics.AddCallbackGauge("tocsin_store_failing",
                           "1 while the store refuses writes (disk full, I/O error).",
                           [this] { return recorder_->stats().failing ? 1.0 : 0.0; });
}

}  // namespace tocsin::pipeline
