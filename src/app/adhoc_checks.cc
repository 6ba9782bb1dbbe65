#include "app/adhoc_checks.h"

namespace tocsin::app {

Result<std::unique_ptr<AdhocChecks>> AdhocChecks::Start(probe::EngineOptions options) {
  options.shards = 1;
  std::unique_ptr<AdhocChecks> out(new AdhocChecks());
  AdhocChecks* self = out.get();
  auto engine = probe::Engine::Start(
      options, [self](probe::CheckResult&& r) { self->Finished(std::move(r)); });
  if (!engine.ok()) return engine.error();
  out->engine_ = std::move(*engine);
  return out;
}

AdhocChecks::~AdhocChecks() {
  if (engine_) engine_->Stop();
}

void AdhocChecks::Finished(probe::CheckResult&& r) {
  std::lock_guard lock(mu_);
  const auto it = waiting_.find(r.job.index);
  if (it == waiting_.end()) return;
  it->second = std::move(r);
  done_.notify_all();
}

Result<model::CheckRecord> AdhocChecks::Run(std::shared_ptr<const probe::PreparedCheck> check) {
  uint32_t index = 0;
  {
    std::lock_guard lock(mu_);
    if (running_ >= kMaxRunning) {
      return Unavailable("other checks are running; try again in a moment");
    }
    ++running_;
    index = next_++;
    waiting_[index];
  }
  model::JobId job;
  job.index = index;
  const bool queued = engine_->Submit(std::move(check), job);
  std::unique_lock lock(mu_);
  // Every check ends within its timeout (the engine enforces it), so the
  // wait is bounded; a refused one never started.
  if (queued) done_.wait(lock, [&] { return waiting_[index].has_value(); });
  std::optional<probe::CheckResult> result = std::move(waiting_[index]);
  waiting_.erase(index);
  --running_;
  if (!result) return Unavailable("the check could not start; try again in a moment");
  return probe::ToRecord(*result, model::kLocalLocation);
}

}  // namespace tocsin::app
