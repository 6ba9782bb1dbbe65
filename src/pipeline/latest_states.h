// The latest result of every monitor, in memory: updated by the pipeline on
// every result, read by the API. Seeded from the store at start.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/latest_state.h"

namespace tocsin::pipeline {

// Thread-safe.
class LatestStates {
 public:
  // Keeps `state` unless a later one is already known (results of one
  // monitor may arrive out of order from several locations).
  void Update(model::LatestState state);
  std::optional<model::LatestState> Find(model::MonitorId id) const;
  void Seed(std::vector<model::LatestState> states);

 private:
  mutable std::mutex mu_;
  std::unordered_map<model::MonitorId, model::LatestState> states_;  // guarded by mu_
};

}  // namespace tocsin::pipeline
