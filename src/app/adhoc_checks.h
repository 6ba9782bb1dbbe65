// "Check now": one check on demand (the console's button before a monitor
// is saved), on a probe engine of its own, so it never touches the
// schedule, the history or the alerts. The caller waits for the result.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/result.h"
#include "model/check_record.h"
#include "probe/check_result.h"
#include "probe/check_spec.h"
#include "probe/engine.h"
#include "probe/engine_options.h"

namespace tocsin::app {

class AdhocChecks {
 public:
  // At most this many run at once; more are refused (kUnavailable), as a
  // check can hold its caller for its whole timeout.
  static constexpr int kMaxRunning = 4;

  static Result<std::unique_ptr<AdhocChecks>> Start(probe::EngineOptions options);
  ~AdhocChecks();

  // Runs `check` once and returns its result (as the history would hold
  // it); kUnavailable when busy or stopping.
  Result<model::CheckRecord> Run(std::shared_ptr<const probe::PreparedCheck> check);

 private:
  AdhocChecks() = default;
  void Finished(probe::CheckResult&& r);

  std::mutex mu_;
  std::condition_variable done_;
  std::map<uint32_t, std::optional<probe::CheckResult>> waiting_;  // by JobId::index
  uint32_t next_ = 1;
  int running_ = 0;
  std::unique_ptr<probe::Engine> engine_;  // last: stopped first, while the rest lives
};

}  // namespace tocsin::app
