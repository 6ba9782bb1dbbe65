// Synthetic check results for the benchmarks that need history
// (rollup_query, seed_history): latency lognormal around 80 ms with a long
// right tail, 1% failures (half time out, half answer 503), phases in fixed
// shares of the total. Deterministic for a given generator state.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "model/check_record.h"

namespace tocsin::bench {

class SyntheticResults {
 public:
  static constexpr double kMedianLatencyUs = 80'000;
  static constexpr double kLatencySigma = 0.5;  // p99 about 250 ms
  static constexpr double kMinLatencyUs = 1'000;
  static constexpr double kMaxLatencyUs = 10'000'000;  // the default check timeout
  static constexpr double kFailureRate = 0.01;
  static constexpr uint32_t kTimeoutUs = 10'000'000;
  static constexpr uint32_t kPageBytes = 2'048;

  explicit SyntheticResults(uint64_t seed)
      : rng_(seed), latency_(std::log(kMedianLatencyUs), kLatencySigma) {}

  std::mt19937_64& rng() { return rng_; }

  // One result of `monitor` taken at `ts_ms`; `slot` picks its address.
  model::CheckRecord Next(model::MonitorId monitor, int64_t ts_ms, int slot) {
    model::CheckRecord r;
    r.monitor = monitor;
    r.ts_ms = ts_ms;
    r.ip = "192.0.2." + std::to_string(1 + slot % 4);
    if (unit_(rng_) < kFailureRate) {
      if (unit_(rng_) < 0.5) {
        r.outcome = model::Outcome::kTimeout;
        r.total_us = kTimeoutUs;
        r.detail = "no complete response within 10s";
      } else {
        r.outcome = model::Outcome::kHttpStatus;
        r.status = 503;
        r.total_us = Latency();
        r.detail = "status 503, expected 200-399";
      }
      return r;
    }
    const uint32_t total = Latency();
    r.outcome = model::Outcome::kOk;
    r.status = 200;
    r.total_us = total;
    r.dns_us = static_cast<uint32_t>(total * 0.05);
    r.connect_us = static_cast<uint32_t>(total * 0.20);
    r.tls_us = static_cast<uint32_t>(total * 0.30);
    r.ttfb_us = static_cast<uint32_t>(total * 0.40);
    r.download_us = total - r.dns_us - r.connect_us - r.tls_us - r.ttfb_us;
    r.bytes = kPageBytes;
    return r;
  }

 private:
  uint32_t Latency() {
    return static_cast<uint32_t>(std::clamp(latency_(rng_), kMinLatencyUs, kMaxLatencyUs));
  }

  std::mt19937_64 rng_;
  std::lognormal_distribution<double> latency_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

}  // namespace tocsin::bench
