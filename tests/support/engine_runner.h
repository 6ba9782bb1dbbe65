// Runs checks through a real Engine and waits for their results: the
// integration tests' way to drive the probe engine synchronously.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "probe/engine.h"
#include "support/target_server.h"

namespace tocsin::testing {

// Engine options for tests: only the target server's address is allowed
// and names resolve through its DNS server.
probe::EngineOptions TargetEngineOptions();

class EngineRunner {
 public:
  explicit EngineRunner(probe::EngineOptions options = TargetEngineOptions());
  ~EngineRunner();

  // Runs one check; fails the test (and returns a default result) if the
  // spec does not prepare.
  probe::CheckResult Run(probe::CheckSpec spec);
  // Runs the checks concurrently; results in the order of the specs.
  std::vector<probe::CheckResult> RunAll(const std::vector<probe::CheckSpec>& specs);

  probe::Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<probe::Engine> engine_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, probe::CheckResult> results_;  // by JobId::index
  uint64_t next_token_ = 1;
};

// A spec for url with the test CA trusted.
probe::CheckSpec Spec(const std::string& url);

}  // namespace tocsin::testing
