#include "schedule/timer_wheel.h"

#include <gtest/gtest.h>

#include <vector>

namespace tocsin::schedule {
namespace {

TEST(TimerWheelTest, FiresItemsWhenDueAndNotBefore) {
  TimerWheel<int> wheel(10'000, 8, 0);
  wheel.Insert(25'000, 1);
  wheel.Insert(45'000, 2);
  std::vector<int> fired;
  auto record = [&](Micros, int v) { fired.push_back(v); };
  wheel.Advance(24'999, record);
  EXPECT_TRUE(fired.empty());
  wheel.Advance(25'000, record);
  EXPECT_EQ(fired, std::vector<int>{1});
  wheel.Advance(50'000, record);
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheelTest, ItemsBeyondOneRevolutionWaitForTheirTime) {
  TimerWheel<int> wheel(10'000, 4, 0);  // one revolution = 40 ms
  wheel.Insert(125'000, 7);
  std::vector<int> fired;
  for (Micros now = 0; now < 125'000; now += 10'000) {
    wheel.Advance(now, [&](Micros, int v) { fired.push_back(v); });
  }
  EXPECT_TRUE(fired.empty());
  wheel.Advance(130'000, [&](Micros, int v) { fired.push_back(v); });
  EXPECT_EQ(fired, std::vector<int>{7});
}

TEST(TimerWheelTest, LongStallStillFiresEverythingDue) {
  TimerWheel<int> wheel(10'000, 4, 0);
  for (int i = 0; i < 20; ++i) wheel.Insert(i * 7'000, i);
  int fired = 0;
  wheel.Advance(10'000'000, [&](Micros, int) { ++fired; });
  EXPECT_EQ(fired, 20);
}

TEST(TimerWheelTest, OverdueInsertFiresOnNextAdvance) {
  TimerWheel<int> wheel(10'000, 8, 100'000);
  wheel.Insert(50'000, 3);
  int fired = 0;
  wheel.Advance(100'000, [&](Micros due, int) {
    EXPECT_EQ(due, 50'000);
    ++fired;
  });
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheelTest, FireMayReinsert) {
  TimerWheel<int> wheel(10'000, 8, 0);
  wheel.Insert(10'000, 0);
  int fired = 0;
  for (Micros now = 10'000; now <= 100'000; now += 10'000) {
    wheel.Advance(now, [&](Micros due, int v) {
      ++fired;
      wheel.Insert(due + 30'000, v);
    });
  }
  EXPECT_EQ(fired, 4);  // at 10, 40, 70 and 100 ms
}

}  // namespace
}  // namespace tocsin::schedule
