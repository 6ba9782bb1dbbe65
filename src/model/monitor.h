// What every module may know of a configured monitor, besides its check
// options (which only the probe reads): the catalogue the API lists and the
// alert evaluator will consult.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/ids.h"

namespace tocsin::model {

// The limits of a monitor's settings, wherever it is written (the config
// file, the API).
inline constexpr Micros kMinInterval = 10'000'000;      // 10s
inline constexpr Micros kMaxInterval = 86'400'000'000;  // 24h
inline constexpr Micros kDefaultInterval = 60'000'000;  // 60s
inline constexpr size_t kMaxMonitorNameBytes = 200;
inline constexpr size_t kMaxTags = 10;  // per monitor
inline constexpr size_t kMaxTagBytes = 40;

// A monitor's tags as given (the config file, the API): at most kMaxTags,
// each 1 to kMaxTagBytes without control characters or commas; sorted,
// each kept once. InvalidField("tags", why) otherwise.
Status NormalizeTags(std::vector<std::string>& tags);

struct Monitor {
  MonitorId id = 0;
  WorkspaceId workspace = kFileWorkspace;  // kFileWorkspace: the config file's
  std::string name;
  uint64_t owner = 0;  // user id
  std::string url;
  Micros interval = 0;
  Micros slow_threshold = 0;  // 0 = off
  bool enabled = true;
  std::vector<std::string> tags;  // the user's labels, to group and filter a list by
  MonitorId depends_on = 0;       // alerts held while this one is down; 0: none
};

}  // namespace tocsin::model
