#include "report/weekly_schedule.h"

#include <gtest/gtest.h>

#include <date/date.h>

#include <chrono>

namespace tocsin::report {
namespace {

// Unix ms of a UTC date and time.
int64_t Utc(int y, unsigned mo, unsigned d, int h, int mi = 0, int s = 0) {
  const date::sys_days day = date::year{y} / mo / d;
  return (day.time_since_epoch().count() * 86'400LL + h * 3'600LL + mi * 60LL + s) * 1000;
}

WeeklySlot Slot(const std::string& zone, int day, int hour, int64_t now_ms) {
  auto slot = LatestSlot(zone, day, hour, now_ms);
  EXPECT_TRUE(slot.ok()) << slot.error().message;
  return slot.ok() ? *slot : WeeklySlot{};
}

// Berlin moves to summer time on Sunday 2026-03-29 (02:00 -> 03:00): the
// Monday after, 08:00 is 06:00 UTC, not 07:00; and the week it covers is
// an hour short.
TEST(WeeklySchedule, MondayEightInBerlinAfterTheSpringChange) {
  const WeeklySlot slot = Slot("Europe/Berlin", 1, 8, Utc(2026, 3, 30, 6, 0, 0));
  EXPECT_EQ(slot.at_ms, Utc(2026, 3, 30, 6));
  EXPECT_EQ(slot.week, "2026-W14");
  EXPECT_EQ(slot.from_ms, Utc(2026, 3, 22, 23));  // Monday 23 March 00:00 CET
  EXPECT_EQ(slot.to_ms, Utc(2026, 3, 29, 22));    // Monday 30 March 00:00 CEST
  EXPECT_EQ(slot.to_ms - slot.from_ms, (7 * 24 - 1) * 3'600'000LL);
  // A second before, the slot is the week before's (08:00 CET).
  const WeeklySlot before = Slot("Europe/Berlin", 1, 8, Utc(2026, 3, 30, 5, 59, 59));
  EXPECT_EQ(before.at_ms, Utc(2026, 3, 23, 7));
  EXPECT_EQ(before.week, "2026-W13");
  EXPECT_EQ(before.to_ms, slot.from_ms);
}

TEST(WeeklySchedule, TheSlotHoldsForTheWholeWeekAfterIt) {
  for (const int64_t now : {Utc(2026, 3, 30, 6), Utc(2026, 4, 2, 12), Utc(2026, 4, 6, 5, 59)}) {
    EXPECT_EQ(Slot("Europe/Berlin", 1, 8, now).week, "2026-W14");
  }
  EXPECT_EQ(Slot("Europe/Berlin", 1, 8, Utc(2026, 4, 6, 6)).week, "2026-W15");
}

// An hour that the spring-forward skips is the instant after the gap; one
// the fall-back repeats is the first of the two.
TEST(WeeklySchedule, SkippedAndRepeatedHours) {
  EXPECT_EQ(Slot("Europe/Berlin", 7, 2, Utc(2026, 3, 29, 12)).at_ms, Utc(2026, 3, 29, 1));
  // New York falls back on Sunday 2026-11-01: 01:00 EDT (05:00 UTC) first.
  EXPECT_EQ(Slot("America/New_York", 7, 1, Utc(2026, 11, 1, 5, 30)).at_ms, Utc(2026, 11, 1, 5));
}

TEST(WeeklySchedule, WeeksAreIsoWeeksAcrossTheYear) {
  // Monday 2026-12-28 is in ISO week 53 of 2026; Monday 2027-01-04 in week 1.
  EXPECT_EQ(Slot("UTC", 1, 8, Utc(2026, 12, 28, 9)).week, "2026-W53");
  EXPECT_EQ(Slot("UTC", 1, 8, Utc(2027, 1, 4, 9)).week, "2027-W01");
  // A Sunday slot belongs to the week it ends.
  EXPECT_EQ(Slot("UTC", 7, 8, Utc(2027, 1, 3, 9)).week, "2026-W53");
}

// Far east of UTC the local Monday starts on Sunday in UTC.
TEST(WeeklySchedule, ZonesAheadOfUtc) {
  const WeeklySlot slot = Slot("Asia/Tokyo", 1, 8, Utc(2026, 11, 30, 0));
  EXPECT_EQ(slot.at_ms, Utc(2026, 11, 29, 23));  // Monday 08:00 JST
  EXPECT_EQ(slot.from_ms, Utc(2026, 11, 22, 15));
  EXPECT_EQ(slot.week, "2026-W49");
}

TEST(WeeklySchedule, RefusesUnknownZonesDaysAndHours) {
  EXPECT_FALSE(LatestSlot("Mars/Olympus", 1, 8, 0).ok());
  EXPECT_FALSE(LatestSlot("UTC", 0, 8, 0).ok());
  EXPECT_FALSE(LatestSlot("UTC", 8, 8, 0).ok());
  EXPECT_FALSE(LatestSlot("UTC", 1, 24, 0).ok());
  EXPECT_FALSE(LatestSlot("UTC", 1, -1, 0).ok());
}

TEST(WeeklySchedule, DayNames) {
  EXPECT_EQ(IsoDayFromName("monday"), 1);
  EXPECT_EQ(IsoDayFromName("sunday"), 7);
  EXPECT_EQ(IsoDayFromName("Monday"), 0);
  EXPECT_EQ(IsoDayName(3), "wednesday");
  EXPECT_EQ(IsoDayName(0), "");
  EXPECT_EQ(LocalDay("Europe/Berlin", Utc(2026, 3, 29, 22)), "Mon 30 Mar 2026");
}

}  // namespace
}  // namespace tocsin::report
