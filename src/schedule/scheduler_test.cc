#include "schedule/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
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
// Completing a run is what a result's receiver does: note whose it was,
// and tell the scheduler it is done.
class FakeEngine {
 public:
  using Seen = std::function<void(model::MonitorId)>;
  explicit FakeEngine(Seen seen = nullptr) : seen_(std::move(seen)) {}

  Scheduler::Submit submitter() {
    return [this](std::shared_ptr<const probe::PreparedCheck>, model::JobId job) {
      std::lock_guard lock(mu_);
      if (complete_at_once_) {
        ready_.push_back(job);
      } else {
        held_.push_back(job);
      }
      ++submitted_;
      return true;
    };
  }
  // Completes held (or immediately-completed) checks.
  void Deliver(Scheduler& s, bool held_too) {
    std::vector<model::JobId> jobs;
    {
      std::lock_guard lock(mu_);
      jobs.swap(ready_);
      if (held_too) {
        jobs.insert(jobs.end(), held_.begin(), held_.end());
        held_.clear();
      }
    }
    for (const model::JobId& job : jobs) {
      if (seen_) seen_(job.monitor);
      s.Done(job);
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
  Seen seen_;
  std::mutex mu_;
  std::vector<model::JobId> held_;
  std::vector<model::JobId> ready_;
  int submitted_ = 0;
  bool complete_at_once_ = false;
};

struct Recorded {
  std::mutex mu;
  std::vector<model::MonitorId> ids;
  void Add(model::MonitorId id) {
    std::lock_guard lock(mu);
    ids.push_back(id);
  }
  int CountOf(model::MonitorId id) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count(ids.begin(), ids.end(), id));
  }
};

TEST(SchedulerTest, NextDueIsAfterNowWithinOneIntervalAndStable) {
  const int64_t now = 1'795'000'000'123'456;
  for (model::MonitorId id : {1u, 2u, 99u, 123456u}) {
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
        Scheduler::NextDueUnixMicros(static_cast<model::MonitorId>(id), 60'000'000, now);
    ++bins[static_cast<size_t>((due - now - 1) / 1'000'000)];
  }
  // 1,000 a second on average; a herd would put thousands in one second.
  for (int count : bins) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
}

TEST(SchedulerTest, EveryMonitorRunsRepeatedly) {
  Recorded seen;
  FakeEngine engine([&](model::MonitorId id) { seen.Add(id); });
  engine.set_complete_at_once(true);
  Scheduler s({}, engine.submitter());
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
  Recorded seen;
  FakeEngine engine([&](model::MonitorId id) { seen.Add(id); });
  engine.set_complete_at_once(true);
  Scheduler s({}, engine.submitter());
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
  Scheduler s({}, engine.submitter());
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
  Scheduler s(options, engine.submitter());
  std::vector<MonitorPlan> plans;
  for (model::MonitorId id = 1; id <= 5; ++id) {
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
  Recorded seen;
  FakeEngine engine([&](model::MonitorId id) { seen.Add(id); });
  engine.set_complete_at_once(true);
  Scheduler s({}, engine.submitter());
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
  Scheduler s({}, [&](std::shared_ptr<const probe::PreparedCheck>, model::JobId) {
    ++calls;
    return false;
  });
  s.Apply({{1, Check("http://a.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return s.stats().rejected >= 2; }));
  EXPECT_EQ(s.stats().started, 0u);
  s.Stop();
}

TEST(SchedulerTest, AStaleDoneDoesNotEndTheCurrentRun) {
  FakeEngine engine;  // holds every check until told
  std::mutex mu;
  std::vector<model::JobId> submitted;
  Scheduler s({}, [&](std::shared_ptr<const probe::PreparedCheck> check, model::JobId job) {
    {
      std::lock_guard lock(mu);
      submitted.push_back(job);
    }
    return engine.submitter()(std::move(check), job);
  });
  s.Apply({{1, Check("http://a.example/"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return engine.submitted() == 1; }));
  model::JobId stale;
  {
    std::lock_guard lock(mu);
    stale = submitted[0];
  }
  --stale.generation;  // an earlier run of the same slot
  s.Done(stale);
  s.Done(model::JobId{1, stale.index + 100, stale.generation + 1});  // no such slot
  const uint64_t overlaps = s.stats().skipped_overlap;
  ASSERT_TRUE(WaitFor([&] { return s.stats().skipped_overlap >= overlaps + 2; }));
  EXPECT_EQ(engine.submitted(), 1);  // still running: nothing new started
  s.Stop();
  engine.Deliver(s, true);
}

TEST(SchedulerTest, AMonitorRemovedWhileRunningReleasesItsHostWhenDone) {
  FakeEngine engine;
  SchedulerOptions options;
  options.per_host_concurrency = 1;
  Scheduler s(options, engine.submitter());
  s.Apply({{1, Check("http://same.example/a"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return engine.submitted() == 1; }));
  // Monitor 1 goes while its run is in flight; monitor 2 on the same host
  // must wait for that run to end, then start.
  s.Apply({{2, Check("http://same.example/b"), kInterval, true}});
  ASSERT_TRUE(WaitFor([&] { return s.stats().deferred_host >= 2; }));
  EXPECT_EQ(engine.submitted(), 1);
  engine.Deliver(s, true);
  ASSERT_TRUE(WaitFor([&] { return engine.submitted() == 2; }));
  s.Stop();
  engine.Deliver(s, true);
}

TEST(SchedulerTest, ASlotFreedByARemovedMonitorIsReused) {
  Recorded seen;
  FakeEngine engine([&](model::MonitorId id) { seen.Add(id); });
  engine.set_complete_at_once(true);
  std::mutex mu;
  std::set<uint32_t> indexes;
  Scheduler s({}, [&](std::shared_ptr<const probe::PreparedCheck> check, model::JobId job) {
    {
      std::lock_guard lock(mu);
      indexes.insert(job.index);
    }
    return engine.submitter()(std::move(check), job);
  });
  for (model::MonitorId id = 1; id <= 20; ++id) {
    s.Apply({{id, Check("http://a.example/"), kInterval, true}});
    ASSERT_TRUE(WaitFor([&] {
      engine.Deliver(s, false);
      return seen.CountOf(id) >= 1;
    }));
  }
  std::lock_guard lock(mu);
  EXPECT_LE(indexes.size(), 2u);  // one monitor at a time: its slot comes back
  s.Stop();
}

TEST(SchedulerTest, RecheckRunsOnceSoonAndLeavesTheGridAlone) {
  Recorded seen;
  FakeEngine engine([&](model::MonitorId id) { seen.Add(id); });
  engine.set_complete_at_once(true);
  Scheduler s({}, engine.submitter());
  constexpr Micros kHour = 3'600'000'000;
  s.Apply({{1, Check("http://a.example/"), kHour, true}});
  // The first run comes within the first-run window (up to 60 s): ask for
  // re-checks meanwhile; one runs, 20 ms after the request.
  s.Recheck(1, 20'000);
  s.Recheck(1, 20'000);  // one pending at a time
  ASSERT_TRUE(WaitFor([&] {
    engine.Deliver(s, false);
    return s.stats().rechecks >= 1;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  engine.Deliver(s, false);
  EXPECT_EQ(s.stats().rechecks, 1u);
  // Every run was a re-check or a grid run; the re-check did not add a second.
  EXPECT_EQ(static_cast<uint64_t>(seen.CountOf(1)), s.stats().started + 1);
  s.Recheck(99, 0);  // no such monitor: nothing happens
  s.Recheck(1, 0);
  ASSERT_TRUE(WaitFor([&] {
    engine.Deliver(s, false);
    return s.stats().rechecks >= 2;
  }));
  s.Stop();
}

}  // namespace
}  // namespace tocsin::schedule
