// What every module may know of a configured monitor, besides its check
// options (which only the probe reads): the catalogue the API lists and the
// alert evaluator will consult.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "model/ids.h"

namespace tocsin::model {

struct Monitor {
  MonitorId id = 0;
  std::string name;
  uint64_t owner = 0;  // user id
  std::string url;
  Micros interval = 0;
  Micros slow_threshold = 0;  // 0 = off
  bool enabled = true;
};

}  // namespace tocsin::model
