// The latest result of each monitor: what the API shows as "now", kept in
// memory by the pipeline and in the store so it survives a restart.
#pragma once

#include <cstdint>
#include <string>

#include "model/check_record.h"
#include "model/ids.h"
#include "model/outcome.h"

namespace tocsin::model {

struct LatestState {
  MonitorId monitor = 0;
  int64_t ts_ms = 0;
  Outcome outcome = Outcome::kOk;
  uint16_t status = 0;
  uint32_t total_us = 0;
  std::string detail;

  static LatestState Of(const CheckRecord& r) {
    return {r.monitor, r.ts_ms, r.outcome, r.status, r.total_us, r.detail};
  }
  bool operator==(const LatestState&) const = default;
};

}  // namespace tocsin::model
