// The alert engine with a real SQLite store: decisions are stored with their
// notices, a restart carries on where it stopped, re-checks are asked for.
#include "alert/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/temp_dir.h"
#include "store/store.h"

namespace tocsin::alert {
namespace {

bool WaitFor(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    auto s = store::OpenSqliteStore({.path = dir_.path() + "/t.db"});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }
  std::unique_ptr<AlertEngine> Start() {
    auto e = AlertEngine::Start(
        store_->alerts(), {.tick = 20'000},
        [this](model::MonitorId id, Micros delay) {
          rechecks_ += static_cast<int>(id);
          last_delay_ = delay;
        },
        [this] { ++queued_; });
    EXPECT_TRUE(e.ok());
    MonitorRules r;
    r.id = 1;
    r.name = "shop";
    r.url = "https://shop.example/";
    r.policy.Mutable().notify = {"ops", "pager"};
    r.policy.Mutable().recheck_after = 3'000'000;
    (*e)->SetRules({r}, nullptr);
    return std::move(*e);
  }
  model::CheckRecord Failure() {
    model::CheckRecord c;
    c.monitor = 1;
    c.ts_ms = UnixMicros() / 1000;
    c.outcome = model::Outcome::kConnectRefused;
    return c;
  }

  TempDir dir_{"tocsin-alert-engine"};
  std::unique_ptr<store::Store> store_;
  std::atomic<int> rechecks_{0};
  std::atomic<Micros> last_delay_{0};
  std::atomic<int> queued_{0};
};

TEST_F(AlertEngineTest, AnIncidentAndItsNoticesAreStoredTogether) {
  auto engine = Start();
  engine->Observe(Failure());
  ASSERT_TRUE(WaitFor([&] { return rechecks_ == 1; }));
  EXPECT_EQ(last_delay_, 3'000'000);  // the policy's re-check delay
  engine->Observe(Failure());
  ASSERT_TRUE(WaitFor([&] { return queued_ >= 1; }));
  auto open = store_->alerts().OpenIncidents();
  ASSERT_EQ(open->size(), 1u);
  const auto rows = *store_->alerts().NotificationsOf((*open)[0].id);
  ASSERT_EQ(rows.size(), 2u);  // one per channel
  EXPECT_EQ(rows[0].channel, "ops");
  EXPECT_EQ(rows[1].channel, "pager");
  EXPECT_EQ(rows[0].dedup_key, "incident-1:opened:ops");
  EXPECT_NE(rows[0].payload.find("\"name\":\"shop\""), std::string::npos);
  EXPECT_EQ(engine->open_incidents(), 1u);
}

TEST_F(AlertEngineTest, ARestartCarriesOnWithTheOpenIncident) {
  {
    auto engine = Start();
    engine->Observe(Failure());
    engine->Observe(Failure());
    ASSERT_TRUE(WaitFor([&] { return queued_ >= 1; }));
    engine->Stop();
  }
  store_.reset();
  Open();
  auto engine = Start();
  EXPECT_EQ(engine->open_incidents(), 1u);
  // The incident's acknowledgement still works, and says who.
  auto ack = engine->Acknowledge(1, "bob");
  ASSERT_TRUE(ack.ok()) << ack.error().message;
  EXPECT_EQ(*ack, "acknowledged by bob");
  EXPECT_EQ(*engine->Acknowledge(1, "carol"), "already acknowledged by bob");
  EXPECT_EQ(engine->Acknowledge(99, "x").error().code, ErrorCode::kNotFound);
  // A new incident after a restart never reuses an id.
  model::CheckRecord ok = Failure();
  ok.outcome = model::Outcome::kOk;
  engine->Observe(ok);
  engine->Observe(ok);
  engine->Observe(Failure());
  engine->Observe(Failure());
  ASSERT_TRUE(WaitFor([&] {
    return store_->alerts().OpenIncidents()->size() == 1 &&
           store_->alerts().OpenIncidents()->at(0).id == 2;
  }));
}

}  // namespace
}  // namespace tocsin::alert
