// The pipeline: the one place a check result fans out, in this order:
// metrics, the monitor's latest state, the recorder (durable storage), and
// the alert evaluator. Local probe shards and remote agents feed it through
// the same entry, Accept().
//
//   probe shard --ToRecord--> Accept <--(batches)-- remote agent uplink
//                               |
//     maintenance mark -> counters -> latest state -> recorder -> alerts
//
// Accept() is called on probe threads: every stage is a counter, a short
// lock or a bounded queue, never a store write.
#pragma once

#include <memory>

#include "alert/engine.h"
#include "core/metrics.h"
#include "model/check_record.h"
#include "model/outcome.h"
#include "pipeline/latest_states.h"
#include "store/recorder.h"
#include "store/results.h"

namespace tocsin::pipeline {

struct PipelineOptions {
  store::RecorderOptions recorder;
  // The alert engine results go to last; nullptr: no alerting (tests,
  // tools). Must outlive the pipeline.
  alert::AlertEngine* alerts = nullptr;
};

class Pipeline {
 public:
  // Registers the pipeline's metrics in `metrics` (which must outlive it)
  // and starts the recorder's writer thread on `results`.
  Pipeline(store::ResultStore& results, PipelineOptions options, core::Registry& metrics);
  ~Pipeline();  // stops
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The one entry for results. Thread-safe; never blocks on the store.
  void Accept(model::CheckRecord&& record);

  // Commits what is queued and stops the writer. Results accepted after
  // this are counted as dropped. Idempotent.
  void Stop();

  const LatestStates& latest() const { return latest_; }
  LatestStates& latest() { return latest_; }
  store::RecorderStats recorder_stats() const { return recorder_->stats(); }

 private:
  void RegisterMetrics(core::Registry& metrics);

  core::Counter* outcomes_[model::kOutcomeCount] = {};
  core::Histogram* write_latency_ = nullptr;
  alert::AlertEngine* alerts_ = nullptr;
  LatestStates latest_;
  std::unique_ptr<store::Recorder> recorder_;
};

}  // namespace tocsin::pipeline
