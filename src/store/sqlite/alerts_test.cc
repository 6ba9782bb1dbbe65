// The alerts aggregate on a real SQLite file: incidents round-trip whole,
// the outbox keeps each notice once, delivery states move as attempts say.
#include "store/sqlite/alerts.h"

#include <gtest/gtest.h>

#include "core/temp_dir.h"
#include "store/store.h"

namespace tocsin::store {
namespace {

class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore({.path = dir_.path() + "/t.db"});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  AlertStore& alerts() { return store_->alerts(); }

  static model::Incident Incident(int64_t id) {
    model::Incident inc;
    inc.id = id;
    inc.monitor = 7;
    inc.kind = model::IncidentKind::kDown;
    inc.started_ms = 1'000;
    inc.confirmed_ms = 6'000;
    inc.cause.monitor = 7;
    inc.cause.outcome = model::Outcome::kTimeout;
    inc.cause.detail = "no answer";
    inc.cause.ip = "192.0.2.1";
    inc.confirmations = {inc.cause, inc.cause};
    inc.announced = true;
    return inc;
  }
  static OutboxRow Row(const std::string& key, int64_t incident, int64_t due) {
    OutboxRow r;
    r.dedup_key = key;
    r.channel = "ops";
    r.incident_id = incident;
    r.monitor = 7;
    r.payload = "{}";
    r.created_ms = due;
    r.next_attempt_ms = due;
    r.expires_ms = due + 100'000;
    return r;
  }

  TempDir dir_{"tocsin-alert-store"};
  std::unique_ptr<Store> store_;
};

TEST_F(AlertStoreTest, IncidentsRoundTripWholeAndOpenOnesAreListed) {
  model::Incident open = Incident(1);
  model::Incident closed = Incident(2);
  closed.ended_ms = 9'000;
  closed.acked_ms = 8'000;
  closed.acked_by = "alice";
  ASSERT_TRUE(alerts().Apply(std::vector{open, closed}, {}).ok());
  auto listed = alerts().OpenIncidents();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const model::Incident& got = (*listed)[0];
  EXPECT_EQ(got.id, 1);
  EXPECT_EQ(got.cause, open.cause);
  EXPECT_EQ(got.confirmations.size(), 2u);
  EXPECT_TRUE(got.announced);
  auto two = alerts().GetIncident(2);
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_EQ((*two)->acked_by, "alice");
  EXPECT_EQ((*two)->ended_ms, 9'000);
  EXPECT_EQ(*alerts().MaxIncidentId(), 2);
  // Written again by id: an update, not a second incident.
  open.reminders = 3;
  ASSERT_TRUE(alerts().Apply(std::vector{open}, {}).ok());
  EXPECT_EQ((*alerts().GetIncident(1))->reminders, 3);
  EXPECT_EQ(alerts().ListIncidents(7, 10)->size(), 2u);
}

TEST_F(AlertStoreTest, ANoticeIsQueuedOncePerDedupKey) {
  ASSERT_TRUE(alerts().Apply({}, std::vector{Row("k1", 1, 100), Row("k1", 1, 100)}).ok());
  ASSERT_TRUE(alerts().Apply({}, std::vector{Row("k1", 1, 200), Row("k2", 1, 200)}).ok());
  EXPECT_EQ(alerts().NotificationsOf(1)->size(), 2u);
}

TEST_F(AlertStoreTest, AttemptsMoveRowsBetweenStates) {
  ASSERT_TRUE(
      alerts().Apply({}, std::vector{Row("a", 1, 100), Row("b", 1, 100), Row("c", 1, 5'000)}).ok());
  auto due = alerts().DueOutbox(1'000, 10);
  ASSERT_EQ(due->size(), 2u);  // c is not due yet
  EXPECT_EQ(*alerts().NextDue(), 100);
  const int64_t a = (*due)[0].id;
  const int64_t b = (*due)[1].id;
  // Claimed: not due until the claim runs out.
  ASSERT_TRUE(alerts().Reschedule(std::vector{a, b}, 3'000).ok());
  EXPECT_TRUE(alerts().DueOutbox(1'000, 10)->empty());
  ASSERT_TRUE(
      alerts()
          .RecordAttempts(std::vector<AttemptResult>{
              {a, 1'100, true, 250, "", 900, 0}, {b, 1'100, false, 500, "HTTP 500", 900, 4'000}})
          .ok());
  const auto rows = *alerts().NotificationsOf(1);
  EXPECT_EQ(rows[0].state, OutboxRow::State::kDelivered);
  EXPECT_EQ(rows[0].delivered_ms, 1'100);
  EXPECT_EQ(rows[1].state, OutboxRow::State::kPending);
  EXPECT_EQ(rows[1].next_attempt_ms, 4'000);
  EXPECT_EQ(rows[1].attempts, 1);
  EXPECT_EQ(rows[1].last_error, "HTTP 500");
  // Given up: next attempt 0.
  ASSERT_TRUE(alerts()
                  .RecordAttempts(std::vector<AttemptResult>{{b, 4'100, false, 0, "too old", 0, 0}})
                  .ok());
  EXPECT_EQ((*alerts().NotificationsOf(1))[1].state, OutboxRow::State::kFailed);
  auto stats = alerts().Stats();
  EXPECT_EQ(stats->pending, 1u);  // c
  EXPECT_EQ(stats->oldest_pending_ms, 5'000);
}

TEST_F(AlertStoreTest, SecretsAreMadeOnceAndKept) {
  auto first = alerts().Secret("ack");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 32u);
  EXPECT_EQ(*alerts().Secret("ack"), *first);
  EXPECT_NE(*alerts().Secret("other"), *first);
  store_.reset();
  auto reopened = OpenSqliteStore({.path = dir_.path() + "/t.db"});
  EXPECT_EQ(*(*reopened)->alerts().Secret("ack"), *first);
}

TEST_F(AlertStoreTest, DisabledChannelsAreRememberedWithTheirFingerprint) {
  EXPECT_EQ(*alerts().DisabledFingerprint("ops"), "");
  ASSERT_TRUE(alerts().DisableChannel("ops", "fp1", "410", 5).ok());
  EXPECT_EQ(*alerts().DisabledFingerprint("ops"), "fp1");
}

}  // namespace
}  // namespace tocsin::store
