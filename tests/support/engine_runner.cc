#include "support/engine_runner.h"

#include <gtest/gtest.h>

namespace tocsin::testing {

probe::EngineOptions TargetEngineOptions() {
  const TargetServer& server = TargetServer::Get();
  probe::EngineOptions options;
  options.address_policy.allow.push_back(*net::Prefix::Parse(server.host + "/32"));
  options.resolver.servers = {server.DnsServer()};
  options.resolver.query_timeout = 300'000;
  options.resolver.tries = 1;
  return options;
}

probe::CheckSpec Spec(const std::string& url) {
  probe::CheckSpec spec;
  spec.url = url;
  spec.ca_file = TargetServer::Get().ca_file;
  spec.timeout = 5'000'000;
  return spec;
}

EngineRunner::EngineRunner(probe::EngineOptions options) {
  auto engine = probe::Engine::Start(options, [this](probe::CheckResult&& r) {
    std::lock_guard lock(mu_);
    results_.emplace(r.job.index, std::move(r));
    cv_.notify_all();
  });
  if (!engine.ok()) throw std::runtime_error(engine.error().message);
  engine_ = std::move(*engine);
}

EngineRunner::~EngineRunner() {
  engine_->Stop();
}

probe::CheckResult EngineRunner::Run(probe::CheckSpec spec) {
  auto results = RunAll({std::move(spec)});
  return results.empty() ? probe::CheckResult{} : results.front();
}

std::vector<probe::CheckResult> EngineRunner::RunAll(const std::vector<probe::CheckSpec>& specs) {
  std::vector<uint64_t> tokens;
  for (const auto& spec : specs) {
    auto check = probe::PreparedCheck::Prepare(spec);
    if (!check.ok()) {
      ADD_FAILURE() << "spec did not prepare: " << check.error().message;
      return {};
    }
    const uint64_t token = next_token_++;
    if (!engine_->Submit(*check, model::JobId{.index = static_cast<uint32_t>(token)})) {
      ADD_FAILURE() << "engine refused the check";
      return {};
    }
    tokens.push_back(token);
  }
  std::unique_lock lock(mu_);
  // Each check is bounded by its own timeout; this only guards a hung engine.
  const bool done = cv_.wait_for(lock, std::chrono::seconds(60), [&] {
    for (uint64_t t : tokens) {
      if (!results_.count(t)) return false;
    }
    return true;
  });
  if (!done) {
    ADD_FAILURE() << "checks did not complete within 60 s";
    return {};
  }
  std::vector<probe::CheckResult> out;
  for (uint64_t t : tokens) {
    out.push_back(std::move(results_.at(t)));
    results_.erase(t);
  }
  return out;
}

}  // namespace tocsin::testing
