#include "alert/evaluator.h"

#include <gtest/gtest.h>

namespace tocsin::alert {
namespace {

using model::Health;
using model::NoticeEvent;
using model::Outcome;

constexpr int64_t kT0 = 1'795'000'000'000;  // ms
constexpr int64_t kMinuteMs = 60'000;

class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() : evaluator_([this] { return ++last_id_; }) {}

  MonitorRules Rules(model::MonitorId id) {
    MonitorRules r;
    r.id = id;
    r.name = "m" + std::to_string(id);
    r.interval = 60'000'000;
    r.policy.Mutable().notify = {"ops"};
    return r;
  }
  void Use(std::vector<MonitorRules> rules) { evaluator_.SetRules(std::move(rules), now_); }

  model::CheckRecord Check(model::MonitorId id, Outcome outcome, uint32_t total_us = 1'000,
                           model::LocationId location = 0) {
    model::CheckRecord r;
    r.monitor = id;
    r.location = location;
    r.ts_ms = now_;
    r.outcome = outcome;
    r.total_us = total_us;
    return r;
  }
  // Feeds a result at the current time and moves the clock on.
  Effects Feed(model::CheckRecord r, int64_t advance_ms = 5'000) {
    r.ts_ms = now_;
    Effects e = evaluator_.Observe(r, now_);
    for (auto& n : e.notices) notices_.push_back(n);
    now_ += advance_ms;
    return e;
  }
  Effects Fail(model::MonitorId id) { return Feed(Check(id, Outcome::kConnectRefused)); }
  Effects Pass(model::MonitorId id) { return Feed(Check(id, Outcome::kOk)); }
  Effects Tick() {
    Effects e = evaluator_.Tick(now_);
    for (auto& n : e.notices) notices_.push_back(n);
    return e;
  }
  const model::Notice& Last(NoticeEvent event) const {
    static const model::Notice kNone;
    for (auto it = notices_.rbegin(); it != notices_.rend(); ++it) {
      if (it->event == event) return *it;
    }
    return kNone;
  }
  int Count(NoticeEvent event) const {
    int n = 0;
    for (const auto& notice : notices_) n += notice.event == event ? 1 : 0;
    return n;
  }

  int64_t now_ = kT0;
  int64_t last_id_ = 0;
  std::vector<model::Notice> notices_;
  Evaluator evaluator_;
};

TEST_F(EvaluatorTest, DownOnlyAfterConsecutiveFailuresWithAnEarlyRecheck) {
  Use({Rules(1)});
  Pass(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  const Effects first = Fail(1);
  EXPECT_TRUE(first.recheck);  // confirm soon, not a whole interval later
  EXPECT_TRUE(first.empty());
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  const Effects second = Fail(1);
  EXPECT_FALSE(second.recheck);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
  ASSERT_EQ(second.incidents.size(), 1u);
  const model::Incident& inc = second.incidents[0];
  EXPECT_EQ(inc.id, 1);
  EXPECT_EQ(inc.kind, model::IncidentKind::kDown);
  EXPECT_EQ(inc.started_ms, kT0 + 5'000);  // the first failing check
  EXPECT_EQ(inc.confirmed_ms, kT0 + 10'000);
  EXPECT_EQ(inc.cause.outcome, Outcome::kConnectRefused);
  EXPECT_EQ(inc.confirmations.size(), 2u);
  EXPECT_TRUE(inc.announced);
  ASSERT_EQ(second.notices.size(), 1u);
  EXPECT_EQ(second.notices[0].event, NoticeEvent::kOpened);
  EXPECT_EQ(second.notices[0].channels, std::vector<std::string>{"ops"});
  EXPECT_EQ(second.notices[0].since_ms, kT0 + 5'000);
}

TEST_F(EvaluatorTest, OneGoodCheckDoesNotEndAnIncident) {
  Use({Rules(1)});
  Fail(1);
  Fail(1);
  const Effects one = Pass(1);
  EXPECT_TRUE(one.recheck);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
  EXPECT_EQ(Count(NoticeEvent::kResolved), 0);
  const Effects two = Pass(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  ASSERT_EQ(two.incidents.size(), 1u);
  EXPECT_EQ(two.incidents[0].ended_ms, kT0 + 15'000);
  EXPECT_EQ(Count(NoticeEvent::kResolved), 1);
}

TEST_F(EvaluatorTest, ASingleFailureBetweenSuccessesIsNotAnIncident) {
  Use({Rules(1)});
  Pass(1);
  Fail(1);
  Pass(1);
  Fail(1);
  Pass(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  EXPECT_TRUE(notices_.empty());
  EXPECT_EQ(evaluator_.open_incidents(), 0u);
}

TEST_F(EvaluatorTest, ThresholdsComeFromThePolicy) {
  MonitorRules r = Rules(1);
  r.policy.Mutable().failure_threshold = 3;
  r.policy.Mutable().success_threshold = 1;
  Use({r});
  Fail(1);
  Fail(1);
  EXPECT_NE(evaluator_.HealthOf(1), Health::kDown);
  Fail(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
  Pass(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
}

TEST_F(EvaluatorTest, SlowChecksDegradeAndNotifyOnlyAtTheDegradedLevel) {
  MonitorRules quiet = Rules(1);
  quiet.slow_threshold = 500'000;
  MonitorRules loud = Rules(2);
  loud.slow_threshold = 500'000;
  loud.policy.Mutable().level = model::AlertLevel::kDegraded;
  Use({quiet, loud});
  for (int i = 0; i < 2; ++i) {
    Feed(Check(1, Outcome::kOk, 900'000));
    Feed(Check(2, Outcome::kOk, 900'000));
  }
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDegraded);
  EXPECT_EQ(evaluator_.HealthOf(2), Health::kDegraded);
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0].monitor, 2u);
  EXPECT_EQ(notices_[0].kind, model::IncidentKind::kDegraded);
  for (int i = 0; i < 2; ++i) {
    Feed(Check(1, Outcome::kOk, 100'000));
    Feed(Check(2, Outcome::kOk, 100'000));
  }
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  // Recovery only for what was announced.
  EXPECT_EQ(Count(NoticeEvent::kResolved), 1);
  EXPECT_EQ(notices_.back().monitor, 2u);
}

TEST_F(EvaluatorTest, DegradedThenDownClosesTheDegradationQuietly) {
  MonitorRules r = Rules(1);
  r.slow_threshold = 500'000;
  r.policy.Mutable().level = model::AlertLevel::kDegraded;
  Use({r});
  Feed(Check(1, Outcome::kOk, 900'000));
  Feed(Check(1, Outcome::kOk, 900'000));
  ASSERT_EQ(evaluator_.HealthOf(1), Health::kDegraded);
  Fail(1);
  const Effects down = Fail(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
  ASSERT_EQ(down.incidents.size(), 2u);  // the degraded one ends, the outage opens
  EXPECT_NE(down.incidents[0].ended_ms, 0);
  EXPECT_EQ(down.incidents[1].kind, model::IncidentKind::kDown);
  ASSERT_EQ(down.notices.size(), 1u);
  EXPECT_EQ(down.notices[0].event, NoticeEvent::kOpened);
}

TEST_F(EvaluatorTest, CertificateWarningsAtEachStageOnce) {
  MonitorRules r = Rules(1);
  r.policy.Mutable().level = model::AlertLevel::kAll;
  Use({r});
  const auto with_cert = [&](int64_t days_left) {
    model::CheckRecord c = Check(1, Outcome::kOk);
    c.cert_not_after = now_ / 1000 + days_left * 86'400 + 3'600;
    return c;
  };
  // The same certificate, seen as time passes: 20 days left, then 10, ...
  const int64_t not_after = now_ / 1000 + 20 * 86'400 + 3'600;
  const auto seen_at = [&](int64_t days_left) {
    model::CheckRecord c = Check(1, Outcome::kOk);
    now_ = (not_after - 3'600 - days_left * 86'400) * 1000;
    c.cert_not_after = not_after;
    return Feed(c, 0);
  };
  seen_at(20);
  EXPECT_EQ(Count(NoticeEvent::kCertWarning), 0);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  seen_at(10);
  seen_at(9);
  EXPECT_EQ(Count(NoticeEvent::kCertWarning), 1);
  EXPECT_EQ(Last(NoticeEvent::kCertWarning).sequence, 14);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDegraded);
  seen_at(5);
  seen_at(2);
  seen_at(0);
  EXPECT_EQ(Count(NoticeEvent::kCertWarning), 4);  // 14, 7, 3, 1
  EXPECT_EQ(Last(NoticeEvent::kCertWarning).sequence, 1);
  // A renewed certificate: healthy again, warnings start over.
  Feed(with_cert(90));
  Feed(with_cert(90));
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
}

TEST_F(EvaluatorTest, CertificateWarningsNeedTheAllLevel) {
  Use({Rules(1)});  // level: down
  model::CheckRecord c = Check(1, Outcome::kOk);
  c.cert_not_after = now_ / 1000 + 2 * 86'400;
  Feed(c);
  EXPECT_EQ(Count(NoticeEvent::kCertWarning), 0);
}

TEST_F(EvaluatorTest, FlappingSendsOneNoticeThenQuietUntilItSettles) {
  MonitorRules r = Rules(1);
  r.policy.Mutable().failure_threshold = 1;
  r.policy.Mutable().success_threshold = 1;
  Use({r});
  Pass(1);
  for (int i = 0; i < 20; ++i) {
    Fail(1);
    Pass(1);
  }
  EXPECT_EQ(Count(NoticeEvent::kFlapping), 1);
  // Before it flapped: 3 outages opened and resolved (5 changes allowed).
  EXPECT_LE(Count(NoticeEvent::kOpened), 3);
  EXPECT_LE(notices_.size(), 7u);
  const size_t before = notices_.size();
  now_ += 31 * kMinuteMs;  // no change for the whole window
  Tick();
  EXPECT_EQ(notices_.size(), before + 1);
  EXPECT_EQ(notices_.back().event, NoticeEvent::kSettled);
  EXPECT_EQ(notices_.back().health, Health::kUp);
}

TEST_F(EvaluatorTest, AChildOfADownParentIsHeldAndNamedInTheParentsAlert) {
  MonitorRules parent = Rules(1);
  parent.policy.Mutable().remind_every = 5 * 60'000'000LL;
  MonitorRules child = Rules(2);
  child.depends_on = 1;
  Use({parent, child});
  Fail(1);
  Fail(2);
  Fail(1);  // the parent is confirmed down
  const Effects held = Fail(2);
  ASSERT_EQ(held.incidents.size(), 1u);
  EXPECT_TRUE(held.incidents[0].held);
  EXPECT_TRUE(held.notices.empty());
  now_ += 5 * kMinuteMs;
  Tick();
  ASSERT_EQ(notices_.back().event, NoticeEvent::kReminder);
  EXPECT_EQ(notices_.back().monitor, 1u);
  EXPECT_EQ(notices_.back().also_affected, std::vector<model::MonitorId>{2});
  // The parent recovers, the child is still down: now the child alerts.
  Pass(1);
  Pass(1);
  Tick();
  EXPECT_EQ(notices_.back().event, NoticeEvent::kOpened);
  EXPECT_EQ(notices_.back().monitor, 2u);
}

TEST_F(EvaluatorTest, RemindersByTimeUntilAcknowledged) {
  MonitorRules r = Rules(1);
  r.policy.Mutable().remind_every = 5 * 60'000'000LL;
  Use({r});
  Fail(1);
  Fail(1);
  const int64_t id = notices_.back().incident_id;
  const int64_t confirmed = now_ - 5'000;
  now_ = confirmed + 4 * kMinuteMs;
  Tick();
  EXPECT_EQ(Count(NoticeEvent::kReminder), 0);
  now_ = confirmed + 5 * kMinuteMs;
  Tick();
  EXPECT_EQ(Count(NoticeEvent::kReminder), 1);
  Tick();  // not twice for the same slot
  EXPECT_EQ(Count(NoticeEvent::kReminder), 1);
  now_ = confirmed + 60 * kMinuteMs;  // eleven missed: one reminder, not a burst
  Tick();
  EXPECT_EQ(Count(NoticeEvent::kReminder), 2);
  EXPECT_EQ(notices_.back().sequence, 12);
  auto ack = evaluator_.Acknowledge(id, "alice", now_);
  ASSERT_TRUE(ack.ok());
  ASSERT_EQ(ack->notices.size(), 1u);
  EXPECT_EQ(ack->notices[0].event, NoticeEvent::kAcknowledged);
  EXPECT_EQ(ack->notices[0].acked_by, "alice");
  now_ += 60 * kMinuteMs;
  Tick();
  EXPECT_EQ(Count(NoticeEvent::kReminder), 2);
  auto again = evaluator_.Acknowledge(id, "bob", now_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(evaluator_.Acknowledge(999, "x", now_).error().code, ErrorCode::kNotFound);
}

TEST_F(EvaluatorTest, UnacknowledgedIncidentEscalatesOnce) {
  MonitorRules r = Rules(1);
  r.policy.Mutable().escalate_after = 30 * 60'000'000LL;
  r.policy.Mutable().escalate_to = {"pager"};
  Use({r});
  Fail(1);
  Fail(1);
  now_ += 29 * kMinuteMs;
  Tick();
  EXPECT_EQ(Count(NoticeEvent::kEscalated), 0);
  now_ += 2 * kMinuteMs;
  Tick();
  Tick();
  ASSERT_EQ(Count(NoticeEvent::kEscalated), 1);
  EXPECT_EQ(notices_.back().channels, (std::vector<std::string>{"ops", "pager"}));
  // The recovery reaches the escalated channels too.
  Pass(1);
  Pass(1);
  EXPECT_EQ(notices_.back().event, NoticeEvent::kResolved);
  EXPECT_EQ(notices_.back().channels, (std::vector<std::string>{"ops", "pager"}));
}

TEST_F(EvaluatorTest, DownNeedsAQuorumOfLocations) {
  Use({Rules(1)});
  const auto fail_at = [&](model::LocationId loc) {
    return Feed(Check(1, Outcome::kTimeout, 0, loc), 100);
  };
  const auto pass_at = [&](model::LocationId loc) {
    return Feed(Check(1, Outcome::kOk, 1'000, loc), 100);
  };
  for (model::LocationId loc : {0, 1, 2}) pass_at(loc);
  fail_at(0);
  fail_at(0);  // one location of three: not down
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  fail_at(1);
  fail_at(1);  // two of three: a majority
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
}

TEST_F(EvaluatorTest, MaintenanceHoldsAlertsUntilItEnds) {
  model::MaintenanceWindow w;
  w.name = "deploy";
  w.time_zone = "UTC";
  w.start_local_s = now_ / 1000 - 60;
  w.duration = 10 * 60'000'000LL;
  auto schedule = MaintenanceSchedule::Build({w});
  ASSERT_TRUE(schedule.ok());
  evaluator_.SetMaintenance(*schedule);
  Use({Rules(1)});
  Fail(1);
  const Effects held = Fail(1);
  ASSERT_EQ(held.incidents.size(), 1u);
  EXPECT_TRUE(held.incidents[0].held);
  EXPECT_TRUE(notices_.empty());
  now_ += 10 * kMinuteMs;  // the window is over, the outage is not
  Tick();
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0].event, NoticeEvent::kOpened);
}

TEST_F(EvaluatorTest, RemovedMonitorsIncidentEndsQuietly) {
  Use({Rules(1), Rules(2)});
  Fail(1);
  Fail(1);
  notices_.clear();
  const Effects e = evaluator_.SetRules({Rules(2)}, now_);
  ASSERT_EQ(e.incidents.size(), 1u);
  EXPECT_EQ(e.incidents[0].ended_ms, now_);
  EXPECT_TRUE(e.notices.empty());
  EXPECT_EQ(evaluator_.open_incidents(), 0u);
}

TEST_F(EvaluatorTest, ARestoredOutageStillNeedsConfirmedRecovery) {
  Use({Rules(1)});
  model::Incident open;
  open.id = 41;
  open.monitor = 1;
  open.kind = model::IncidentKind::kDown;
  open.confirmed_ms = now_ - kMinuteMs;
  open.announced = true;
  evaluator_.Restore({open});
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
  Pass(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kDown);
  Pass(1);
  EXPECT_EQ(evaluator_.HealthOf(1), Health::kUp);
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0].incident_id, 41);
  EXPECT_EQ(notices_[0].event, NoticeEvent::kResolved);
}

}  // namespace
}  // namespace tocsin::alert
