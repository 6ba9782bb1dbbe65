// Probe throughput: keeps N checks of one URL in flight for a while and
// reports checks per second and CPU per check. bench/probe_vs_peers.sh runs
// it beside wrk and blackbox_exporter against the same nginx page.
//
//   probe_throughput --url URL --inflight N --duration SECONDS [--allow-private]
//
// Prints one JSON line: {"checks", "ok", "failed", "seconds", "cpu_us", ...}.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/clock.h"
#include "probe/engine.h"

namespace {

tocsin::Micros CpuMicros() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1'000'000LL + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tocsin probe throughput benchmark"};
  std::string url;
  int inflight = 100;
  double duration = 10;
  double warmup = 2;
  int shards = 1;
  bool allow_private = false;
  app.add_option("--url", url)->required();
  app.add_option("--inflight", inflight)->check(CLI::Range(1, 100000));
  app.add_option("--duration", duration)->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", warmup)->check(CLI::Range(0.0, 600.0));
  app.add_option("--shards", shards)->check(CLI::Range(1, 64));
  app.add_flag("--allow-private", allow_private);
  CLI11_PARSE(app, argc, argv);

  tocsin::probe::CheckSpec spec;
  spec.url = url;
  auto check = tocsin::probe::PreparedCheck::Prepare(spec);
  if (!check.ok()) {
    std::fprintf(stderr, "%s\n", check.error().message.c_str());
    return 2;
  }
  tocsin::probe::EngineOptions options;
  options.shards = shards;
  options.max_in_flight_per_shard = static_cast<size_t>(inflight);
  options.address_policy.allow_private = allow_private;

  std::atomic<bool> measuring{false};
  std::atomic<bool> refill{true};
  std::atomic<uint64_t> ok{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> first_failure_outcome{0};
  tocsin::probe::Engine* engine_ptr = nullptr;
  auto engine = tocsin::probe::Engine::Start(options, [&](tocsin::probe::CheckResult&& r) {
    if (measuring.load(std::memory_order_relaxed)) {
      if (r.ok()) {
        ok.fetch_add(1, std::memory_order_relaxed);
      } else {
        failed.fetch_add(1, std::memory_order_relaxed);
        first_failure_outcome.store(static_cast<uint64_t>(r.outcome) + 1);
      }
    }
    // Replace each finished check with a new one: a steady N in flight.
    if (refill.load(std::memory_order_relaxed)) engine_ptr->Submit(*check, tocsin::model::JobId{});
  });
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.error().message.c_str());
    return 1;
  }
  engine_ptr = engine->get();
  for (int i = 0; i < inflight; ++i) (*engine)->Submit(*check, tocsin::model::JobId{});

  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  measuring = true;
  const tocsin::Micros cpu0 = CpuMicros();
  const tocsin::Micros t0 = tocsin::MonotonicMicros();
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  measuring = false;
  const tocsin::Micros cpu1 = CpuMicros();
  const tocsin::Micros t1 = tocsin::MonotonicMicros();
  refill = false;
  (*engine)->Stop();

  const uint64_t checks = ok + failed;
  nlohmann::json out = {
      {"checks", checks},        {"ok", ok.load()},
      {"failed", failed.load()}, {"seconds", static_cast<double>(t1 - t0) / 1e6},
      {"cpu_us", cpu1 - cpu0},   {"inflight", inflight},
      {"shards", shards},
  };
  if (first_failure_outcome != 0) {
    out["a_failure_outcome"] =
        tocsin::probe::OutcomeName(static_cast<tocsin::probe::Outcome>(first_failure_outcome - 1));
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
