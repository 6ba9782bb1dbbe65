// The weekly summaries' cost: a fresh store with --users users of --urls
// URLs each and --days days of history (one check every --interval s, so
// hour and day rollups are full), then one pass of the weekly job at the
// users' Monday 08:00 slot, which builds and queues every summary: the
// week's, the week before's and the four weeks before's figures per URL,
// incidents, the server-wide ranks, and the mail. CPU time is the
// process's (getrusage) across the pass alone. Prints one JSON line.
//
//   weekly_summaries --dir DIR [--users 1000] [--urls 10] [--days 30] [--interval 3600]
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "report/weekly_job.h"
#include "store/store.h"
#include "synthetic_results.h"

namespace {

constexpr size_t kBatchSize = 2'000;
constexpr uint64_t kSeed = 20261130;
// Monday 2026-11-30 08:00 UTC: the users' slot (UTC, Monday, 08:00).
constexpr int64_t kSlotMs = 1'795'996'800'000 + 8 * 3'600'000LL;

int Fail(const char* what, const std::string& message) {
  std::fprintf(stderr, "weekly_summaries: %s: %s\n", what, message.c_str());
  return 1;
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Builds the weekly summaries of many users and times it"};
  std::string dir;
  int users = 1'000;
  int urls = 10;
  int days = 30;
  int interval_s = 3'600;
  app.add_option("--dir", dir, "an empty directory for the store")->required();
  app.add_option("--users", users)->check(CLI::Range(1, 100'000));
  app.add_option("--urls", urls, "URLs per user")->check(CLI::Range(1, 1'000));
  app.add_option("--days", days)->check(CLI::Range(7, 3'650));
  app.add_option("--interval", interval_s, "seconds between checks")->check(CLI::Range(60, 3'600));
  CLI11_PARSE(app, argc, argv);

  auto opened = tocsin::store::OpenSqliteStore({.path = dir + "/tocsin.db"});
  if (!opened.ok()) return Fail("opening the store", opened.error().message);
  std::unique_ptr<tocsin::store::Store> db = std::move(*opened);

  const int64_t end_ms = kSlotMs - 8 * 3'600'000LL;
  const int64_t start_ms = end_ms - int64_t{days} * 86'400'000;
  tocsin::bench::SyntheticResults gen(kSeed);
  std::uniform_int_distribution<int64_t> phase(0, int64_t{interval_s} * 1000 - 1);
  std::vector<tocsin::model::CheckRecord> batch;
  uint64_t rows = 0;
  const auto seed_began = std::chrono::steady_clock::now();
  for (int u = 0; u < users; ++u) {
    tocsin::model::User user;
    user.email = "user" + std::to_string(u) + "@example.com";
    user.name = "User " + std::to_string(u);
    user.email_confirmed_ms = start_ms;
    user.created_ms = start_ms;
    auto created = db->accounts().CreateUser(user);
    if (!created.ok()) return Fail("creating a user", created.error().message);
    for (int k = 0; k < urls; ++k) {
      tocsin::store::MonitorRecord m;
      m.workspace = created->personal_workspace;
      m.name = "site " + std::to_string(k);
      m.url = "https://site" + std::to_string(k) + ".user" + std::to_string(u) + ".example/";
      m.options_json = "{}";
      m.interval = int64_t{interval_s} * 1'000'000;
      auto monitor = db->monitors().CreateMonitor(m);
      if (!monitor.ok()) return Fail("creating a monitor", monitor.error().message);
      for (int64_t ts = start_ms + phase(gen.rng()); ts < end_ms; ts += interval_s * 1000LL) {
        batch.push_back(gen.Next(monitor->id, ts, k));
        if (batch.size() < kBatchSize) continue;
        if (auto s = db->results().WriteBatch(batch); !s.ok()) {
          return Fail("writing results", s.error().message);
        }
        rows += batch.size();
        batch.clear();
      }
    }
  }
  if (!batch.empty()) {
    if (auto s = db->results().WriteBatch(batch); !s.ok()) {
      return Fail("writing results", s.error().message);
    }
    rows += batch.size();
  }
  const double seed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_began).count();

  tocsin::report::WeeklyJob job(
      *db, {.public_url = "https://tocsin.example", .unsubscribe_key = "bench"});
  const double cpu_before = CpuSeconds();
  const auto began = std::chrono::steady_clock::now();
  auto queued = job.Pass(kSlotMs);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const double cpu_s = CpuSeconds() - cpu_before;
  if (!queued.ok()) return Fail("the pass", queued.error().message);
  // A second pass finds every summary queued and builds none.
  const double cpu_again = CpuSeconds();
  auto again = job.Pass(kSlotMs + 20'000);
  const double cpu_second = CpuSeconds() - cpu_again;
  if (!again.ok()) return Fail("the second pass", again.error().message);

  nlohmann::json out = {{"users", users},
                        {"urls_per_user", urls},
                        {"days", days},
                        {"interval_s", interval_s},
                        {"rows", rows},
                        {"seed_seconds", seed_s},
                        {"queued", *queued},
                        {"queued_again", *again},
                        {"pass_cpu_seconds", cpu_s},
                        {"pass_wall_seconds", wall_s},
                        {"second_pass_cpu_seconds", cpu_second}};
  std::printf("%s\n", out.dump().c_str());
  return *queued == static_cast<size_t>(users) && *again == 0 ? 0 : 3;
}
