#include "pipeline/latest_states.h"

namespace tocsin::pipeline {

void LatestStates::Update(model::LatestState state) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = states_.try_emplace(state.monitor, state);
  if (!inserted && it->second.ts_ms <= state.ts_ms) it->second = std::move(state);
}

std::optional<model::LatestState> LatestStates::Find(model::MonitorId id) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(id);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

void LatestStates::Seed(std::vector<model::LatestState> states) {
  for (auto& s : states) Update(std::move(s));
}

}  // namespace tocsin::pipeline
