#include "schedule/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace tocsin::schedule {
namespace {

constexpr Micros kInterval = 100'000;  // 100 ms: tests stay short

std::shared_ptr<const probe::PreparedCheck> Check(const std::string& url) {
  probe::CheckSpec spec;
  spec.url = url;
  return *probe::PreparedCheck::Prepare(spec);
}

// Waits (bounded) until pred holds.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A stand-in engine: records submissions; completes them only when told.
class FakeEngine {
 public:
  Scheduler::Submit submitter() {
    return [this](std::shared_ptr<const probe::PreparedCheck>, uint64_t token) {
      std::lock_guard lock(mu_);
      if (complete_at_once_) {
        ready_.push_back(token);
      } else {
        held_.push_back(token);
      }
      ++submitted_;
      return true;
    };
  }
  // Delivers held (or immediately-completed) checks to the scheduler.
  void Deliver(Scheduler& s, bool held_too) {
    std::vector<uint64_t> tokens;
    {
      std::lock_guard lock(mu_);
      tokens.swap(ready_);
      if (held_too) {
        tokens.insert(tokens.end(), held_.begin(), held_.end());
        held_.clear();
      }
    }
    for (uint64_t t : tokens) {
      probe::CheckResult r;
      r.token = t;
      s.OnResult(std::move(r));
    }
  }
  int submitted() {
    std::lock_guard lock(mu_);
    return submitted_;
  }
  void set_complete_at_once(bool v) {
    std::lock_guard lock(mu_);
    complete_at_once_ = v;
  }

 private:
  std::mutex mu_;
  std::vector<uint64_t> held_;
  std::vector<uint64_t> ready_;
  int submitted_ = 0;
  bool complete_at_once_ = false;
};

struct Recorded {
  std::mutex mu;
  std::vector<store::MonitorId> ids;
  void Add(store::MonitorId id) {
    std::lock_guard lock(mu);
    ids.push_back(id);
  }
  int CountOf(store::MonitorId id) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count(ids.begin(), ids.end(), id));
  }
};

TEST(SchedulerTest, NextDueIsAfterNowWithinOneIntervalAndStable) {
  const int64_t now = 1'795'000'000'123'456;
  for (store::MonitorId id : {1u, 2u, 99u, 123456u}) {
    const int64_t due = Scheduler::NextDueUnixMicros(id, 60'000'000, now);
    EXPECT_GT(due, now);
    EXPECT_LE(due, now + 60'000'000);
    // Same phase later on: the grid does not move.
    EXPECT_EQ(Scheduler::NextDueUnixMicros(id, 60'000'000, due), due + 60'000'000);
  }
}

TEST(SchedulerTest, PhasesSpreadMonitorsEvenlyOverTheInterval) {
  constexpr int kMonitors = 60'000;
  constexpr int kBins = 60;
  const int64_t now = 1'795'000'000'000'000;  // a multiple of 60 s
  std::vector<int> bins(kBins, 0);
  for (int id = 1; id <= kMonitors; ++id) {
    const int64_t due =
        Scheduler::NextDueUnixMicros(static_cast<store::MonitorId>(id), 60'000'000, now);
    ++bins[static_cast<size_t>((due - now - 1) / 1'000'000)];
  }
  // 1,000 a second on average; a herd would put thousands in one second.
  for (int count : bins) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
}

TEST(SchedulerTest, EveryMonitorRunsRepeatedly) {
  FakeEngine engine;
  engine.set_complete_at_once(true);
  Recorded seen;
  Scheduler s({}, engine.submitter(),
              [&](store::MonitorId id, probe::CheckResult&&) { seen.Add(id); });
  s.Apply({{1, Check("http://a.example/"), kInterval, true},
           {2, Check("http://b.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] {
    engine.Deliver(s, false);
    return seen.CountOf(1) >= 3 && seen.CountOf(2) >= 3;
  }));
  EXPECT_EQ(s.stats().monitors, 2u);
  EXPECT_EQ(s.stats().skipped_overlap, 0u);
  s.Stop();
}

TEST(SchedulerTest, DisabledMonitorDoesNotRun) {
  FakeEngine engine;
  engine.set_complete_at_once(true);
  Recorded seen;
  Scheduler s({}, engine.submitter(),
              [&](store::MonitorId id, probe::CheckResult&&) { seen.Add(id); });
  s.Apply({{1, Check("http://a.example/"), kInterval, true},
           {2, Check("http://b.example/"), kInterval, false}});
  ASSERT_TRUE(WaitFor([&] {
    engine.Deliver(s, false);
    return seen.CountOf(1) >= 3;
  }));
  EXPECT_EQ(seen.CountOf(2), 0);
  EXPECT_EQ(s.stats().monitors, 1u);
  s.Stop();
}

TEST(SchedulerTest, ACheckNeverOverlapsItsPreviousRun) {
  FakeEngine engine;  // holds every check until told
  Scheduler s({}, engine.submitter(), [](store::MonitorId, probe::CheckResult&&) {});
  s.Apply({{1, Check("http://a.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return s.stats().skipped_overlap >= 2; }));
  EXPECT_EQ(engine.submitted(), 1);
  engine.Deliver(s, true);  // the first run ends; the next due one may start
  ASSERT_TRUE(WaitFor([&] { return engine.submitted() == 2; }));
  s.Stop();
  engine.Deliver(s, true);
}

TEST(SchedulerTest, PerHostLimitHoldsChecksBack) {
  FakeEngine engine;
  SchedulerOptions options;
  options.per_host_concurrency = 2;
  Scheduler s(options, engine.submitter(), [](store::MonitorId, probe::CheckResult&&) {});
  std::vector<MonitorPlan> plans;
  for (store::MonitorId id = 1; id <= 5; ++id) {
    plans.push_back({id, Check("http://same.example/page" + std::to_string(id)), kInterval, true});
  }
  plans.push_back({6, Check("http://other.example/"), kInterval, true});
  s.Apply(plans);
  ASSERT_TRUE(WaitFor([&] { return s.stats().deferred_host >= 3 && engine.submitted() >= 3; }));
  // Two on same.example (the limit) and one on other.example.
  EXPECT_EQ(engine.submitted(), 3);
  s.Stop();
  engine.Deliver(s, true);
}

TEST(SchedulerTest, RemovedMonitorStopsRunning) {
  FakeEngine engine;
  engine.set_complete_at_once(true);
  Recorded seen;
  Scheduler s({}, engine.submitter(),
              [&](store::MonitorId id, probe::CheckResult&&) { seen.Add(id); });
  s.Apply({{1, Check("http://a.example/"), kInterval, true},
           {2, Check("http://b.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] {
    engine.Deliver(s, false);
    return seen.CountOf(2) >= 1;
  }));
  s.Apply({{1, Check("http://a.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return s.stats().monitors == 1; }));
  engine.Deliver(s, false);
  const int runs_of_2 = seen.CountOf(2);
  const int runs_of_1 = seen.CountOf(1);
  ASSERT_TRUE(WaitFor([&] {
    engine.Deliver(s, false);
    return seen.CountOf(1) >= runs_of_1 + 3;
  }));
  EXPECT_EQ(seen.CountOf(2), runs_of_2);
  s.Stop();
}

TEST(SchedulerTest, RefusedSubmissionIsCountedAndRetriedNextInterval) {
  int calls = 0;
  Scheduler s(
      {},
      [&](std::shared_ptr<const probe::PreparedCheck>, uint64_t) {
        ++calls;
        return false;
      },
      [](store::MonitorId, probe::CheckResult&&) {});
  s.Apply({{1, Check("http://a.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return s.stats().rejected >= 2; }));
  EXPECT_EQ(s.stats().started, 0u);
  s.Stop();
}

}  // namespace
}  // namespace tocsin::schedule
